package vaulttest

import (
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptKey keys a script's state in testscript.Env.Values, which testscript
// keeps per script run.
type scriptKey struct{}

type scriptState struct {
	front *Front
	// mu guards front for the fakes' handlers, which look it up when a
	// request comes rather than when they start.
	mu sync.Mutex
}

// currentFront is the script's STS front, or nil before 'sts start' or
// without vaulttest.Setup (st is nil then).
func (st *scriptState) currentFront() *Front {
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.front
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
//	sts fail-on ACTION N STATUS CODE [MESSAGE…]
//	                                   the same for the next N ACTION requests only
//	[!] sts param ACTION KEY [VALUE]   the latest ACTION request had parameter KEY
//	                                   (= VALUE); with !, it had no KEY
//	sts clock OFFSET                   the front's clock runs OFFSET (e.g. 10m, -10m)
//	                                   ahead of the real one, as AWS's does for a
//	                                   machine whose clock is off
//	sts hang                           accept requests and never answer them
//	sts lifetime DURATION              sessions issued from now end after DURATION
//	                                   (every session's end is enforced anyway)
//	sts last-creds ACTION FILE         write the credentials of the latest ACTION
//	                                   answer to FILE (credential_process JSON)
//	sts down                           close the front: connections are refused
//	iam-user NAME                      create an IAM user NAME-<seq> with keys in
//	                                   TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY
//	                                   and its name in TEST_IAM_USER
//	iam-keys N                         the user of TEST_IAM_USER has N access keys
//	                                   in moto; their ids go to IAM_KEYS, space-separated
func Commands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"sts":      cmdSTS,
		"iam-user": cmdIAMUser,
		"iam-keys": cmdIAMKeys,
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
	if neg && args[0] != "count" && args[0] != "param" {
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
		// The SSO portal's role credentials are role keys, whether the
		// script starts the SSO fake before the front or after it.
		work := ts.Getenv("WORK")
		f.RoleKeysFrom(func(akid string) bool {
			s := ssoFor(work)
			if s == nil {
				return false
			}
			_, ok := s.RoleSession(akid)
			return ok
		})
		st.mu.Lock()
		st.front = f
		st.mu.Unlock()
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
	case "fail", "fail-on":
		action := ""
		if args[0] == "fail-on" {
			if len(args) < 2 {
				ts.Fatalf("usage: sts fail-on ACTION N STATUS CODE [MESSAGE...]")
			}
			action, args = args[1], args[1:]
		}
		if len(args) < 4 {
			ts.Fatalf("usage: sts fail [ACTION] N STATUS CODE [MESSAGE...]")
		}
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		status, err := strconv.Atoi(args[2])
		ts.Check(err)
		st.front.FailNextOn(action, n, status, args[3], strings.Join(args[4:], " "))
	case "param":
		if len(args) != 3 && len(args) != 4 {
			ts.Fatalf("usage: sts param ACTION KEY [VALUE]")
		}
		params := st.front.Params(args[1])
		if params == nil {
			ts.Fatalf("sts param: no %s request was seen", args[1])
		}
		got, has := params[args[2]]
		switch {
		case neg && has:
			ts.Fatalf("sts param: %s had %s=%q, want none", args[1], args[2], got)
		case neg:
		case !has:
			ts.Fatalf("sts param: %s had no %s (it had %v)", args[1], args[2], keysOf(params))
		case len(args) == 4 && (len(got) != 1 || got[0] != args[3]):
			ts.Fatalf("sts param: %s had %s=%q, want %q", args[1], args[2], got, args[3])
		}
	case "last-creds":
		if len(args) != 3 {
			ts.Fatalf("usage: sts last-creds ACTION FILE")
		}
		i, ok := st.front.LastIssued(args[1])
		if !ok {
			ts.Fatalf("sts last-creds: no %s answer carried credentials", args[1])
		}
		data, err := json.Marshal(map[string]any{"Version": 1, "AccessKeyId": i.AccessKeyID,
			"SecretAccessKey": i.SecretAccessKey, "SessionToken": i.SessionToken})
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(args[2]), data, 0o600))
	case "down":
		if len(args) != 1 {
			ts.Fatalf("usage: sts down")
		}
		st.front.Down()
	case "lifetime":
		if len(args) != 2 {
			ts.Fatalf("usage: sts lifetime DURATION")
		}
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		st.front.SetLifetime(d)
	case "clock":
		if len(args) != 2 {
			ts.Fatalf("usage: sts clock OFFSET")
		}
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		st.front.SetClockOffset(d)
	case "hang":
		if len(args) != 1 {
			ts.Fatalf("usage: sts hang")
		}
		st.front.Hang()
	default:
		ts.Fatalf("unknown sts subcommand %q; want start, count, fail, fail-on, param, lifetime, clock, hang or down", args[0])
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

func keysOf(v map[string][]string) []string {
	var out []string
	for k := range v {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func cmdIAMKeys(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: iam-keys N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	m, err := SharedMoto()
	ts.Check(err)
	ids, err := m.AccessKeys(ts.Getenv("TEST_IAM_USER"))
	ts.Check(err)
	ts.Setenv("IAM_KEYS", strings.Join(ids, " "))
	if len(ids) != want {
		ts.Fatalf("iam-keys: %s has %d access keys %v, want %d", ts.Getenv("TEST_IAM_USER"), len(ids), ids, want)
	}
}
