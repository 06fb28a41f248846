//go:build unix

package exec

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsx-cli/awsx/vault/creds"
)

func TestRunWithServerExitStatus(t *testing.T) {

	env := []string{"PATH=" + os.Getenv("PATH")}
	tests := []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 7", 7},
		{"kill -KILL $$", 128 + int(syscall.SIGKILL)},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			if code, out := runWithTestServer(t, []string{"sh", "-c", tt.script}, env); code != tt.want {
				t.Errorf("exit code %d, want %d (output %q)", code, tt.want, out)
			}
		})
	}
}

func TestRunWithServerEnv(t *testing.T) {

	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/x",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/token",
		"KEEP=1",
	}
	_, out := runWithTestServer(t, []string{"env"}, env)
	if strings.Count(out, "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:") != 1 ||
		strings.Contains(out, "169.254") || strings.Contains(out, "RELATIVE_URI") ||
		strings.Contains(out, "TOKEN_FILE") || !strings.Contains(out, "AWS_CONTAINER_AUTHORIZATION_TOKEN=") ||
		!strings.Contains(out, "KEEP=1") {
		t.Errorf("child environment:\n%s", out)
	}
}

func TestRunWithServerClosesServer(t *testing.T) {

	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) { return serverCreds(1, time.Hour), nil })
	if _, err := RunWithServer(context.Background(), srv, ServerCommand{
		Argv: []string{"true"}, Env: []string{"PATH=" + os.Getenv("PATH")},
	}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL(), nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Error("server still answers after the child exited")
	}
}

func TestRunWithServerForwardsSIGTERM(t *testing.T) {

	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) { return serverCreds(1, time.Hour), nil })
	pr, pw := io.Pipe()
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := RunWithServer(context.Background(), srv, ServerCommand{
			Argv:   []string{"sh", "-c", `trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done`},
			Env:    []string{"PATH=" + os.Getenv("PATH")},
			Stdout: pw,
			Stderr: os.Stderr,
		})
		pw.Close()
		done <- result{code, err}
	}()
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(pr).ReadString('\n')
		if err == nil && line != "ready\n" {
			err = fmt.Errorf("child said %q", line)
		}
		ready <- err
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("child did not start")
	}
	// The trap is set before "ready" is printed, and RunWithServer listens
	// for SIGTERM before starting the child, so neither process dies of it.
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.err != nil || r.code != 42 {
			t.Errorf("code %d, err %v; want 42 from the child's trap", r.code, r.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("child did not exit after SIGTERM")
	}
}

func TestRunWithServerContextCancel(t *testing.T) {

	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) { return serverCreds(1, time.Hour), nil })
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code, _ := RunWithServer(ctx, srv, ServerCommand{
			Argv:   []string{"sh", "-c", `trap "exit 3" TERM; echo ready; while :; do sleep 0.1; done`},
			Env:    []string{"PATH=" + os.Getenv("PATH")},
			Stdout: pw,
		})
		pw.Close()
		done <- code
	}()
	if _, err := bufio.NewReader(pr).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	cancel()
	select {
	case code := <-done:
		if code != 3 {
			t.Errorf("code %d, want 3 from the child's TERM trap", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("child did not exit after cancel")
	}
}

func TestRunWithServerBackgroundGrandchild(t *testing.T) {
	// The grandchild inherits the output pipe; the run must still end when
	// CMD does (after WaitDelay), with CMD's status.
	code, _ := runWithTestServer(t, []string{"sh", "-c", "sleep 8 & exit 5"}, []string{"PATH=" + os.Getenv("PATH")})
	if code != 5 {
		t.Errorf("code %d, want 5", code)
	}
}
