// Package exec presents credentials in the ways that need more than a
// child's environment: the local credential server of `exec --server`
// and the console sign-in URLs. The environment, the export formats and
// running a command are package inject's. It never calls STS or SSO itself.
package exec

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	osexec "os/exec"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/awsx-cli/awsx/exec/inject"
	"github.com/awsx-cli/awsx/vault/creds"
)

// DefaultRenewWindow is how long before expiry the server fetches fresh
// credentials. It equals the Go SDK's own refresh window, so that when a
// client comes back for new credentials it gets new ones, not the same
// nearly expired keys.
const DefaultRenewWindow = 5 * time.Minute

// staticLifetime is the Expiration announced for credentials that never
// expire (IAM user keys). The ECS format has no way to say "forever" that
// every SDK accepts (botocore requires the field), so clients are told to come
// back now and then, which costs nothing since the server answers from memory.
const staticLifetime = 15 * time.Minute

// serverPath is the URL path credentials are served on. It is not a secret;
// the token is.
const serverPath = "/awsx/credentials"

// Server serves one profile's credentials to a child process in the ECS
// container-credentials format, on 127.0.0.1 only and only to requests that
// present its per-run token. It renews them through get before they expire.
type Server struct {
	// RenewWindow is how close to expiry cached credentials may come before
	// get is called again. Set it before the server's Env is handed to any
	// client; it defaults to DefaultRenewWindow.
	RenewWindow time.Duration

	get   func(ctx context.Context) (creds.Credentials, error)
	token string
	ln    net.Listener
	http  *http.Server
	url   string

	// base is cancelled on Close so that a get still running when the child
	// exits does not outlive the server.
	base      context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once

	mu     sync.Mutex
	creds  creds.Credentials
	have   bool
	flight *flight
	now    func() time.Time
}

// flight is one call of get shared by every request that arrived while it ran.
type flight struct {
	done    chan struct{}
	creds   creds.Credentials
	err     error
	waiters int // requests waiting on it; tests watch it to line up a burst
}

// NewServer starts a credential server on a random port of 127.0.0.1 that
// answers with what get returns. get is called lazily, on the first request,
// and again only when the last credentials are about to expire; it should not
// prompt, since its errors are shown to the user by the child's SDK.
func NewServer(get func(ctx context.Context) (creds.Credentials, error)) (*Server, error) {
	if get == nil {
		return nil, errors.New("credential server: no credentials source")
	}
	token, err := newToken()
	if err != nil {
		return nil, fmt.Errorf("credential server: %w", err)
	}
	// 127.0.0.1 rather than localhost: the SDKs accept plain HTTP only for
	// loopback hosts, and "localhost" may resolve to ::1 first in the child.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("credential server: listen on 127.0.0.1: %w", err)
	}
	base, cancel := context.WithCancel(context.Background())
	s := &Server{
		RenewWindow: DefaultRenewWindow,
		get:         get,
		token:       token,
		ln:          ln,
		url:         "http://" + ln.Addr().String() + serverPath,
		base:        base,
		cancel:      cancel,
		now:         time.Now,
	}
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		// No ErrorLog override is needed for secrets: net/http logs only
		// connection-level errors, never headers.
	}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// newToken returns 32 random bytes, URL-safe, so that the token survives
// being put in an environment variable and an HTTP header unchanged.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// URL is the address credentials are served on.
func (s *Server) URL() string { return s.url }

// Env returns the variables that point an AWS SDK or CLI at the server.
func (s *Server) Env() []string {
	return []string{
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + s.url,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN=" + s.token,
	}
}

// Close stops serving, drops the credentials it held and abandons a get
// that is still running. Calling it again does nothing.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.cancel()
		err = s.http.Close()
		s.mu.Lock()
		s.creds, s.have = creds.Credentials{}, false
		s.mu.Unlock()
	})
	if err != nil {
		return fmt.Errorf("credential server: close: %w", err)
	}
	return nil
}

// containerCredentials is the body the SDKs' container (ECS) credential
// providers expect.
type containerCredentials struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration"`
	AccountID       string `json:"AccountId,omitempty"`
}

// ServeHTTP answers one credentials request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The listener is bound to 127.0.0.1 already; checking again guards
	// against a future change of address and costs nothing.
	if !isLoopbackAddr(r.RemoteAddr) {
		writeServerError(w, http.StatusForbidden, "AccessDenied", "requests are accepted from loopback addresses only")
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeServerError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "only GET is supported")
		return
	}
	if r.URL.Path != serverPath {
		writeServerError(w, http.StatusNotFound, "NotFound", "no such path")
		return
	}
	// Constant-time so that the token cannot be guessed byte by byte from
	// response times by another local user.
	got := r.Header.Get("Authorization")
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
		writeServerError(w, http.StatusForbidden, "AccessDenied", "missing or wrong authorization token")
		return
	}
	creds, err := s.credentials(r.Context())
	if err != nil {
		writeServerError(w, http.StatusInternalServerError, "CredentialsUnavailable", err.Error())
		return
	}
	expires := creds.Expires
	if !creds.CanExpire() {
		expires = s.now().Add(staticLifetime)
	}
	body := containerCredentials{
		AccessKeyID:     creds.AccessKeyID,
		SecretAccessKey: creds.SecretAccessKey,
		Token:           creds.SessionToken,
		Expiration:      expires.UTC().Format(time.RFC3339),
		AccountID:       creds.AccountID,
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(body)
}

// credentials returns credentials that have not expired, calling get when the
// cached ones are within RenewWindow of expiry; when that renewal fails, the
// cached ones serve on until half the window is left. Requests that arrive
// while a get runs wait for that one instead of starting their own, so that
// a burst of SDK clients starting together causes one STS call.
func (s *Server) credentials(ctx context.Context) (creds.Credentials, error) {
	s.mu.Lock()
	if s.have && !s.creds.ExpiresWithin(s.now(), s.RenewWindow) {
		c := s.creds
		s.mu.Unlock()
		return c, nil
	}
	f := s.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.flight = f
		go s.fetch(f)
	}
	f.waiters++
	s.mu.Unlock()

	select {
	case <-f.done:
	case <-ctx.Done():
		return creds.Credentials{}, fmt.Errorf("waiting for credentials: %w", ctx.Err())
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if f.err == nil && !credsExpired(f.creds, now) {
		return f.creds, nil
	}
	// A failed renewal need not fail the child while the keys it already
	// had still work: it gets them again, and the error once they have
	// half the renew window left. Keys that end within a second or two
	// would fail the request signed with them (ExpiredToken) instead of
	// showing the error that says what to do.
	if s.have && (!s.creds.CanExpire() || s.creds.Expires.Sub(now) > s.RenewWindow/2) {
		return s.creds, nil
	}
	if f.err != nil {
		return creds.Credentials{}, f.err
	}
	return creds.Credentials{}, fmt.Errorf("credentials for profile %q expired at %s", f.creds.Profile, f.creds.Expires.UTC().Format(time.RFC3339))
}

// fetch runs get for f. It runs on the server's context rather than the
// request's, so that one client hanging up does not fail the others waiting.
func (s *Server) fetch(f *flight) {
	creds, err := s.safeGet()
	s.mu.Lock()
	f.creds, f.err = creds, err
	if err == nil && !credsExpired(creds, s.now()) {
		s.creds, s.have = creds, true
	}
	s.flight = nil
	s.mu.Unlock()
	close(f.done)
}

// safeGet calls get, turning a panic into an error: it runs on its own
// goroutine, where a panic would end awsx and orphan the command it serves.
func (s *Server) safeGet() (c creds.Credentials, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error while renewing credentials: %v", r)
		}
	}()
	return s.get(s.base)
}

func credsExpired(c creds.Credentials, now time.Time) bool {
	return c.CanExpire() && !now.Before(c.Expires)
}

func isLoopbackAddr(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// writeServerError answers in the error shape the SDKs' container providers parse,
// so that message reaches the user instead of a bare status code.
func writeServerError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, message})
}

// serverEnvNames are the variables that would make an SDK ignore the server:
// RELATIVE_URI and TOKEN_FILE win over FULL_URI and TOKEN in every SDK.
var serverEnvNames = []string{
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
}

// withServerEnv returns env without any inherited container-credential
// variables, plus the server's own.
func withServerEnv(env []string, srv *Server) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range serverEnvNames {
			if inject.SameEnvName(name, n) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return append(out, srv.Env()...)
}

// ServerCommand is the child process RunWithServer starts.
type ServerCommand struct {
	// Argv is CMD and its arguments; Argv[0] is looked up in Env's PATH,
	// not awsx's own, since that is the PATH the user gave CMD.
	Argv []string
	// Env is the child's environment, from which the caller has removed
	// AWS key variables; the server's variables are added to it.
	Env []string
	// Stdin, Stdout and Stderr are the child's; nil means the null device.
	// Pass the *os.File itself to give the child the terminal.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// RunWithServer runs cmd with srv's variables in its environment, forwards
// termination signals to it, waits for it and closes srv. The exit code is
// the child's own, or 128+N when signal N killed it, as shells report it. An
// error means the child could not be started (exit code 127 when it was not
// found, 126 otherwise) or its output could not be copied.
func RunWithServer(ctx context.Context, srv *Server, cmd ServerCommand) (int, error) {
	defer srv.Close()
	if len(cmd.Argv) == 0 {
		return 127, errors.New("exec: no command to run")
	}
	path, err := inject.LookPath(cmd.Argv[0], cmd.Env)
	if err != nil {
		return 127, fmt.Errorf("exec %s: %w", cmd.Argv[0], err)
	}
	c := &osexec.Cmd{
		Path:   path,
		Args:   cmd.Argv,
		Env:    withServerEnv(cmd.Env, srv),
		Stdin:  cmd.Stdin,
		Stdout: cmd.Stdout,
		Stderr: cmd.Stderr,
		// A background grandchild may keep copied output pipes open long
		// after CMD exits; CMD's exit, not theirs, ends the run.
		WaitDelay: 5 * time.Second,
	}

	// Subscribe before starting so that a signal arriving in between is
	// queued for the child instead of killing awsx and orphaning it.
	sigs := make(chan os.Signal, 4)
	notifyForwarded(sigs)
	defer signal.Stop(sigs)

	if err := c.Start(); err != nil {
		return 126, fmt.Errorf("exec %s: %w", cmd.Argv[0], err)
	}

	done := make(chan struct{})
	var forwarding sync.WaitGroup
	forwarding.Add(1)
	go func() {
		defer forwarding.Done()
		ctxDone := ctx.Done()
		for {
			select {
			case sig := <-sigs:
				forwardToChild(c.Process, sig)
			case <-ctxDone:
				// Ask politely, then keep waiting: the child decides when
				// it is done, as it would had the user pressed Ctrl-C.
				terminateChild(c.Process)
				ctxDone = nil
			case <-done:
				return
			}
		}
	}()
	werr := c.Wait()
	close(done)
	forwarding.Wait()

	if c.ProcessState == nil {
		return 1, fmt.Errorf("exec %s: %w", cmd.Argv[0], werr)
	}
	code := shellExitCode(c.ProcessState)
	var exitErr *osexec.ExitError
	if werr != nil && !errors.As(werr, &exitErr) && !errors.Is(werr, osexec.ErrWaitDelay) {
		return code, fmt.Errorf("exec %s: %w", cmd.Argv[0], werr)
	}
	return code, nil
}
