// Package vaulttest runs the real AWS emulator (moto) and a fault-injecting
// front for it, so that tests exercise the AWS SDK and the AWS CLI against
// real wire traffic instead of hand-written fakes.
package vaulttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// motoStartTimeout is generous because moto takes 2-3 s on an idle 2-core
// machine and several test binaries may start one at the same time.
const motoStartTimeout = 60 * time.Second

// motoScript runs moto.server under a watchdog that exits when its stdin
// closes: a test binary killed by `go test -timeout` never reaches TestMain's
// Stop, and the pipe closing is the only signal that survives that.
const motoScript = `import os, sys, threading
def watch():
    sys.stdin.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
from moto.server import main
main(sys.argv[1:])
`

// Moto is a moto server process listening on 127.0.0.1, serving STS, IAM and
// Organizations for any credentials.
type Moto struct {
	url   string
	cmd   *exec.Cmd
	stdin io.WriteCloser // held open: closing it makes moto exit
	log   *tailBuffer
	done  chan struct{} // closed when the process has exited
	stop  sync.Once
}

var (
	sharedOnce sync.Once
	shared     *Moto
	sharedErr  error
)

// SharedMoto returns the moto server of this test binary, starting it on the
// first call. Every later call returns the same server (or the same start-up
// error), so tests share state in moto and must use unique names. Call Stop
// from TestMain.
func SharedMoto() (*Moto, error) {
	sharedOnce.Do(func() { shared, sharedErr = startMoto() })
	return shared, sharedErr
}

// StopShared stops the shared moto server if SharedMoto started one; it is
// meant for TestMain, after m.Run.
func StopShared() {
	if shared != nil {
		shared.Stop()
	}
}

func startMoto() (*Moto, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("find a free port for moto: %w", err)
	}
	args := []string{"-c", motoScript, "-H", "127.0.0.1", "-p", strconv.Itoa(port)}
	m := &Moto{
		url:  "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:  exec.Command("python3", args...),
		log:  &tailBuffer{max: 4096},
		done: make(chan struct{}),
	}
	m.cmd.Stdout = m.log
	m.cmd.Stderr = m.log
	ownProcessGroup(m.cmd)
	if m.stdin, err = m.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("start moto (python3 moto.server -H 127.0.0.1 -p %d): %w", port, err)
	}
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto (python3 moto.server -H 127.0.0.1 -p %d): %w", port, err)
	}
	go func() {
		_ = m.cmd.Wait()
		close(m.done)
	}()
	if err := m.waitReady(); err != nil {
		m.Stop()
		return nil, fmt.Errorf("start moto (python3 moto.server -H 127.0.0.1 -p %d): %w\nmoto output:\n%s", port, err, m.log.String())
	}
	return m, nil
}

// waitReady polls until moto answers HTTP at all: any status means its WSGI
// app is loaded, which is the slow part.
func (m *Moto) waitReady() error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(motoStartTimeout)
	for {
		select {
		case <-m.done:
			return fmt.Errorf("moto exited early: %v", m.cmd.ProcessState)
		default:
		}
		resp, err := client.Get(m.url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not answering on %s after %v: %w", m.url, motoStartTimeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// URL is moto's base URL, e.g. http://127.0.0.1:40123.
func (m *Moto) URL() string { return m.url }

// Stop kills moto's process group and waits for the process to exit. It is
// safe to call more than once.
func (m *Moto) Stop() {
	m.stop.Do(func() {
		_ = m.stdin.Close()
		terminateGroup(m.cmd.Process, false)
		select {
		case <-m.done:
		case <-time.After(5 * time.Second):
			terminateGroup(m.cmd.Process, true)
			<-m.done
		}
	})
}

// CreateUser creates the IAM user name in moto and an access key for it. The
// keys identify the user in account 123456789012. moto is shared by the whole
// test binary, so name must be unique to the caller.
func (m *Moto) CreateUser(name string) (akid, secret string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := m.iamAdmin(ctx)
	if err != nil {
		return "", "", err
	}
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		return "", "", fmt.Errorf("create moto user %s: %w", name, err)
	}
	out, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		return "", "", fmt.Errorf("create access key for moto user %s: %w", name, err)
	}
	return aws.ToString(out.AccessKey.AccessKeyId), aws.ToString(out.AccessKey.SecretAccessKey), nil
}

// AccessKeys lists the ids of IAM user name's access keys in moto.
func (m *Moto) AccessKeys(name string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := m.iamAdmin(ctx)
	if err != nil {
		return nil, err
	}
	out, err := client.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("list the access keys of moto user %s: %w", name, err)
	}
	var ids []string
	for _, k := range out.AccessKeyMetadata {
		ids = append(ids, aws.ToString(k.AccessKeyId))
	}
	sort.Strings(ids)
	return ids, nil
}

// iamAdmin is an IAM client for moto itself, bypassing any front.
func (m *Moto) iamAdmin(ctx context.Context) (*iam.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDMOTOADMIN", "moto-accepts-anything", "")),
	)
	if err != nil {
		return nil, fmt.Errorf("moto IAM client: load aws config: %w", err)
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(m.url) }), nil
}

// freePort asks the kernel for an unused port. Another process may take it
// before moto binds it; moto then exits and the error shows its log.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("listener address is not TCP")
	}
	return addr.Port, nil
}

// tailBuffer keeps the last max bytes written, because moto logs a line per
// request and only the end matters when it fails to start.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
