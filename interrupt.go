package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
)

// interruptContext is cancelled by Ctrl-C or SIGTERM, so that a command
// waiting on a prompt, on STS or on an SSO login stops with one line and
// stores nothing.
//
// It asks for the signals only when something first waits on it (calls
// Done). Setting up signal delivery makes the Go runtime hand a thread
// over to a new one, which costs 0.3 ms here and up to 1 ms while the head
// start's key derivation keeps the other core busy; a warm exec, export,
// prompt or hook never waits, so it never pays. Until then Ctrl-C ends
// awsx as it ends any program, which loses nothing: every keyring write
// is atomic, and a lock dies with its holder. That includes a keyring
// backend's own dialog (a Secret Service unlock, the Keychain's prompt,
// gpg's pinentry), which takes no context: Ctrl-C there now ends awsx at
// once, where before awsx held the signal until the dialog closed.
type interruptContext struct {
	context.Context
	cancel context.CancelFunc
	once   sync.Once
	ch     chan os.Signal
}

// signalArms counts the contexts that asked for the signals, for the
// tests: that a warm run never does is the point.
var signalArms atomic.Int32

func newInterruptContext() *interruptContext {
	ctx, cancel := context.WithCancel(context.Background())
	return &interruptContext{Context: ctx, cancel: cancel}
}

// Done is the inner context's, once the signals are asked for. A context
// derived from this one calls it as it is made, so it arms too.
func (c *interruptContext) Done() <-chan struct{} {
	c.arm()
	return c.Context.Done()
}

func (c *interruptContext) arm() {
	c.once.Do(func() {
		signalArms.Add(1)
		c.ch = make(chan os.Signal, 1)
		signal.Notify(c.ch, os.Interrupt, syscall.SIGTERM)
		go func() {
			select {
			case <-c.ch:
				c.cancel()
			case <-c.Context.Done():
			}
		}()
	})
}

// stop gives the signals back, for tests that call run more than once.
func (c *interruptContext) stop() {
	c.once.Do(func() {}) // nothing may arm after this
	if c.ch != nil {
		signal.Stop(c.ch)
	}
	c.cancel()
}
