package vaulttest

import (
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptKey keys a script's state in testscript.Env.Values, which testscript
// keeps per script run.
type scriptKey struct{}

type scriptState struct {
	front *Front
}

// userSeq makes iam-user names unique within the test binary: moto lives as
// long as the binary, so two scripts (or `go test -count=2`) asking for the
// same name would otherwise collide.
var userSeq atomic.Int64

// Setup prepares a script for the commands of Commands; call it from
// testscript.Params.Setup.
func Setup(env *testscript.Env) error {
	env.Values[scriptKey{}] = &scriptState{}
	return nil
}

// Commands returns the testscript commands backed by moto:
//
//	sts start                          start a Front for this script; sets
//	                                   AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_IAM
//	                                   (the front) and MOTO_URL (moto itself)
//	[!] sts count ACTION N             the front saw N (! not N) ACTION requests
//	sts fail N STATUS CODE [MESSAGE…]  answer the next N requests with an AWS error
//	sts down                           close the front: connections are refused
//	iam-user NAME                      create an IAM user NAME-<seq> with keys in
//	                                   TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY
//	                                   and its name in TEST_IAM_USER
func Commands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"sts":      cmdSTS,
		"iam-user": cmdIAMUser,
	}
}

func state(ts *testscript.TestScript) *scriptState {
	st, ok := ts.Value(scriptKey{}).(*scriptState)
	if !ok {
		ts.Fatalf("vaulttest.Setup is not called from testscript.Params.Setup")
	}
	return st
}

func cmdSTS(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: sts start|count|fail|down ...")
	}
	if neg && args[0] != "count" {
		ts.Fatalf("sts %s does not support !", args[0])
	}
	st := state(ts)
	if args[0] == "start" {
		if len(args) != 1 {
			ts.Fatalf("usage: sts start")
		}
		if st.front != nil {
			ts.Fatalf("sts start: the front is already started")
		}
		m, err := SharedMoto()
		ts.Check(err)
		f, err := NewFront(m.URL())
		ts.Check(err)
		st.front = f
		ts.Defer(f.Close)
		ts.Setenv("AWS_ENDPOINT_URL_STS", f.URL())
		ts.Setenv("AWS_ENDPOINT_URL_IAM", f.URL())
		ts.Setenv("MOTO_URL", m.URL())
		return
	}
	if st.front == nil {
		ts.Fatalf("sts %s: no front; run sts start first", args[0])
	}
	switch args[0] {
	case "count":
		if len(args) != 3 {
			ts.Fatalf("usage: sts count ACTION N")
		}
		want, err := strconv.Atoi(args[2])
		ts.Check(err)
		got := st.front.Count(args[1])
		if neg && got == want {
			ts.Fatalf("sts count %s: got %d, want anything else", args[1], got)
		}
		if !neg && got != want {
			ts.Fatalf("sts count %s: got %d, want %d", args[1], got, want)
		}
	case "fail":
		if len(args) < 4 {
			ts.Fatalf("usage: sts fail N STATUS CODE [MESSAGE...]")
		}
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		status, err := strconv.Atoi(args[2])
		ts.Check(err)
		st.front.FailNext(n, status, args[3], strings.Join(args[4:], " "))
	case "down":
		if len(args) != 1 {
			ts.Fatalf("usage: sts down")
		}
		st.front.Down()
	default:
		ts.Fatalf("unknown sts subcommand %q; want start, count, fail or down", args[0])
	}
}

func cmdIAMUser(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("iam-user does not support !")
	}
	if len(args) != 1 {
		ts.Fatalf("usage: iam-user NAME")
	}
	m, err := SharedMoto()
	ts.Check(err)
	name := args[0] + "-" + strconv.FormatInt(userSeq.Add(1), 10)
	akid, secret, err := m.CreateUser(name)
	ts.Check(err)
	ts.Setenv("TEST_ACCESS_KEY_ID", akid)
	ts.Setenv("TEST_SECRET_ACCESS_KEY", secret)
	ts.Setenv("TEST_IAM_USER", name)
	ts.Logf("created IAM user %s with access key %s", name, akid)
}
