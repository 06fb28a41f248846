package vaulttest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// ssoScripts holds the fake of each running script, keyed by its $WORK, so
// that scripts running in parallel each get their own.
var ssoScripts = struct {
	sync.Mutex
	m map[string]*SSO
}{m: map[string]*SSO{}}

// SSODefaultAccounts builds the accounts `sso start accounts=N` serves: the
// bastion, prod and dev accounts first, then generated ones, each with the
// AdministratorAccess and ReadOnly permission sets.
func SSODefaultAccounts(n int) []SSOAccount {
	roles := []string{"AdministratorAccess", "ReadOnly"}
	base := []SSOAccount{
		{ID: "111111111111", Name: "bastion", Email: "bastion@example.com", Roles: roles},
		{ID: "222222222222", Name: "prod", Email: "prod@example.com", Roles: roles},
		{ID: "333333333333", Name: "dev", Email: "dev@example.com", Roles: roles},
	}
	if n <= len(base) {
		return base[:max(n, 0)]
	}
	for i := len(base) + 1; i <= n; i++ {
		base = append(base, SSOAccount{
			ID:    fmt.Sprintf("4%011d", i),
			Name:  fmt.Sprintf("account-%03d", i),
			Email: fmt.Sprintf("account-%03d@example.com", i),
			Roles: roles,
		})
	}
	return base
}

// SSOCommands returns the testscript command "sso", which runs a fake IAM
// Identity Center for the script:
//
//	sso start [accounts=N] [pollsBeforeApproval=N] [interval=N] [slowDownPolls=N] [pageSize=N] [startURL=URL]
//	    start the fake and set AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC
//	    and SSO_URL; it stops when the script ends. The role credentials
//	    it issues are role keys to the script's STS front, started before
//	    or after it
//	[!] sso count OP N     OP was called N times (see SSO.Count)
//	[!] sso visits N       the verification page was opened N times
//	sso browser NAME       write $WORK/NAME, a BROWSER program that opens
//	                       the URL it is given with an HTTP GET and appends
//	                       it to $WORK/NAME.log, and set BROWSER to it
//	sso approve | deny     approve or deny the latest device authorization
//	sso down               stop answering (connections refused)
//	sso expire-access      expire every access token
//	sso revoke-refresh     invalidate every refresh token
//	sso expire-client      expire every client registration
//	sso fail-list-page N [COUNT]
//	                       fail the N-th list request from now with HTTP 500,
//	                       and the COUNT-1 requests after it (retries), so
//	                       that the failure outlasts a client's retries
//	sso throttle N         answer the next N list requests with HTTP 429
func SSOCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){"sso": ssoCmd}
}

func ssoCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: sso start|count|visits|browser|approve|deny|down|expire-access|revoke-refresh|expire-client|fail-list-page|throttle")
	}
	if neg && args[0] != "count" && args[0] != "visits" {
		ts.Fatalf("sso %s does not support !", args[0])
	}
	key := ts.Getenv("WORK")
	if args[0] == "start" {
		ssoStart(ts, key, args[1:])
		return
	}
	ssoScripts.Lock()
	s := ssoScripts.m[key]
	ssoScripts.Unlock()
	if s == nil {
		ts.Fatalf("sso %s: no fake running; use 'sso start' first", args[0])
	}
	want := func(n int) int {
		if len(args) != n+1 {
			ts.Fatalf("sso %s: want %d argument(s)", args[0], n)
		}
		if n == 0 {
			return 0
		}
		v, err := strconv.Atoi(args[len(args)-1])
		if err != nil {
			ts.Fatalf("sso %s: %v", args[0], err)
		}
		return v
	}
	switch args[0] {
	case "count", "visits":
		var got, n int
		var what string
		if args[0] == "count" {
			n = want(2)
			if !slices.Contains(ssoOps, args[1]) {
				ts.Fatalf("sso count: unknown operation %q (want one of %v)", args[1], ssoOps)
			}
			got, what = s.Count(args[1]), args[1]
		} else {
			n = want(1)
			got, what = s.BrowserVisits(), "browser visits"
		}
		switch {
		case neg && got == n:
			ts.Fatalf("%s: got %d, want anything else", what, got)
		case !neg && got != n:
			ts.Fatalf("%s: got %d, want %d", what, got, n)
		}
	case "browser":
		if len(args) != 2 {
			ts.Fatalf("usage: sso browser NAME")
		}
		path := filepath.Join(key, args[1])
		ts.Check(os.WriteFile(path, []byte(ssoBrowserScript), 0o755))
		ts.Setenv("BROWSER", path)
	case "approve", "deny":
		want(0)
		code := s.LastUserCode()
		if code == "" {
			ts.Fatalf("sso %s: no device authorization yet", args[0])
		}
		if args[0] == "approve" {
			ts.Check(s.Approve(code))
		} else {
			ts.Check(s.Deny(code))
		}
	case "down":
		want(0)
		s.Down()
	case "expire-access":
		want(0)
		s.ExpireAccessTokens()
	case "revoke-refresh":
		want(0)
		s.RevokeRefreshTokens()
	case "expire-client":
		want(0)
		s.ExpireClients()
	case "fail-list-page":
		if len(args) != 2 && len(args) != 3 {
			ts.Fatalf("usage: sso fail-list-page N [COUNT]")
		}
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		count := 1
		if len(args) == 3 {
			count, err = strconv.Atoi(args[2])
			ts.Check(err)
		}
		for i := range count {
			s.FailListPage(n + i)
		}
	case "throttle":
		s.Throttle(want(1))
	default:
		ts.Fatalf("sso: unknown subcommand %q", args[0])
	}
}

// ssoFor is the SSO fake of the script whose $WORK is work, or nil.
func ssoFor(work string) *SSO {
	ssoScripts.Lock()
	defer ssoScripts.Unlock()
	return ssoScripts.m[work]
}

func ssoStart(ts *testscript.TestScript, key string, args []string) {
	opts := SSOOptions{Accounts: SSODefaultAccounts(3)}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("sso start: want key=value, got %q", a)
		}
		if k == "startURL" {
			opts.StartURL = v
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			ts.Fatalf("sso start: %s: %v", k, err)
		}
		switch k {
		case "accounts":
			opts.Accounts = SSODefaultAccounts(n)
		case "pollsBeforeApproval":
			if n == 0 {
				n = -1 // NewSSO reads 0 as "default"; the script means none
			}
			opts.PollsBeforeApproval = n
		case "interval":
			opts.Interval = n
		case "slowDownPolls":
			opts.SlowDownPolls = n
		case "pageSize":
			opts.PageSize = n
		default:
			ts.Fatalf("sso start: unknown option %q", k)
		}
	}
	ssoScripts.Lock()
	if ssoScripts.m[key] != nil {
		ssoScripts.Unlock()
		ts.Fatalf("sso start: already running")
	}
	s := NewSSO(opts)
	ssoScripts.m[key] = s
	ssoScripts.Unlock()
	ts.Defer(func() {
		s.Close()
		ssoScripts.Lock()
		delete(ssoScripts.m, key)
		ssoScripts.Unlock()
	})
	ts.Setenv("AWS_ENDPOINT_URL_SSO", s.URL())
	ts.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", s.URL())
	ts.Setenv("SSO_URL", s.URL())
}

// ssoBrowserScript stands in for a person's browser: it opens the URL (an
// HTTP GET, which the fake records as consent) and logs it so that a script
// can check what was opened. curl is preferred; python3 is the fallback
// because curl is missing from some CI images.
const ssoBrowserScript = `#!/bin/sh
printf '%s\n' "$1" >> "$0.log"
if command -v curl >/dev/null 2>&1; then
	exec curl -fsS -o /dev/null "$1"
fi
exec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' "$1"
`
