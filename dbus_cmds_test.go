//go:build !windows

package main

import (
	"net"
	"path/filepath"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// fakeBus is a session bus that only counts who connects to it: the
// keyring library's probe fails its handshake and moves on.
type fakeBus struct {
	ln    net.Listener
	mu    sync.Mutex
	conns int
}

var fakeBuses sync.Map // *testscript.TestScript -> *fakeBus

// dbus-bus start | dbus-bus connected
//
//	start listens on a unix socket and points DBUS_SESSION_BUS_ADDRESS at
//	it; connected succeeds when anything connected since the last check
//	(! dbus-bus connected: nothing did).
func cmdDBusBus(ts *testscript.TestScript, neg bool, args []string) {
	switch {
	case len(args) == 1 && args[0] == "start" && !neg:
		sock := filepath.Join(ts.Getenv("WORK"), "bus.sock")
		ln, err := net.Listen("unix", sock)
		ts.Check(err)
		b := &fakeBus{ln: ln}
		fakeBuses.Store(ts, b)
		ts.Defer(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				b.mu.Lock()
				b.conns++
				b.mu.Unlock()
				c.Close()
			}
		}()
		ts.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+sock)
	case len(args) == 1 && args[0] == "connected":
		v, ok := fakeBuses.Load(ts)
		if !ok {
			ts.Fatalf("dbus-bus start first")
		}
		b := v.(*fakeBus)
		b.mu.Lock()
		n := b.conns
		b.conns = 0
		b.mu.Unlock()
		if (n > 0) == neg {
			ts.Fatalf("%d connections to the session bus", n)
		}
	default:
		ts.Fatalf("usage: dbus-bus start | dbus-bus connected")
	}
}
