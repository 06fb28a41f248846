package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/awsx-cli/awsx/vault/creds"
	"github.com/awsx-cli/awsx/vault/vaulttest"
)

// consoleCreds has characters in its secrets that break naive escaping.
var consoleCreds = creds.Credentials{
	Profile:         "prod",
	AccessKeyID:     "ASIACONSOLE",
	SecretAccessKey: "se+cr/et=&x y",
	SessionToken:    "To+ken/with==&Session=evil",
	Expires:         time.Now().Add(time.Hour),
}

func TestConsoleURLFederation(t *testing.T) {
	fed := vaulttest.NewFederation()
	defer fed.Close()

	tests := []struct {
		name        string
		credsRegion string
		opts        ConsoleOptions
		wantDest    string
		wantDur     int
	}{
		{"region and duration", "", ConsoleOptions{Region: "eu-west-1", SessionDuration: time.Hour, Issuer: "https://sso.example.com/start"},
			"https://console.aws.amazon.com/?region=eu-west-1", 3600},
		{"no region, no duration", "", ConsoleOptions{},
			"https://console.aws.amazon.com/", 0},
		{"region from credentials", "ap-south-1", ConsoleOptions{},
			"https://console.aws.amazon.com/?region=ap-south-1", 0},
		{"option beats credentials", "cn-north-1", ConsoleOptions{Region: "eu-west-1"},
			"https://console.aws.amazon.com/?region=eu-west-1", 0},
		{"gov cloud", "", ConsoleOptions{Region: "us-gov-west-1", SessionDuration: 12 * time.Hour},
			"https://console.amazonaws-us-gov.com/?region=us-gov-west-1", 43200},
		{"china", "", ConsoleOptions{Region: "cn-north-1", SessionDuration: 15 * time.Minute},
			"https://console.amazonaws.cn/?region=cn-north-1", 900},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.FederationURL = fed.URL()
			creds := consoleCreds
			creds.Region = tt.credsRegion
			got, err := ConsoleURL(context.Background(), creds, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if base := strings.TrimSuffix(got, "?"+u.RawQuery); base != fed.URL() {
				t.Errorf("login URL base %q, want %q", base, fed.URL())
			}
			if q.Get("Action") != "login" || q.Get("Destination") != tt.wantDest || q.Get("Issuer") != tt.opts.Issuer {
				t.Errorf("login query %v, want Action=login Destination=%s Issuer=%s", q, tt.wantDest, tt.opts.Issuer)
			}
			g, ok := fed.Grant(q.Get("SigninToken"))
			if !ok {
				t.Fatalf("SigninToken %q was not issued by the fake", q.Get("SigninToken"))
			}
			if g.AccessKeyID != consoleCreds.AccessKeyID || g.SecretAccessKey != consoleCreds.SecretAccessKey ||
				g.SessionToken != consoleCreds.SessionToken || g.SessionDuration != tt.wantDur {
				t.Errorf("token issued for %+v, want the console credentials and duration %d", g, tt.wantDur)
			}
			// The fake's login step accepts what ConsoleURL built.
			resp, err := http.Get(got)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tt.wantDest) {
				t.Errorf("login: %s %q", resp.Status, body)
			}
		})
	}
}

func TestConsoleURLErrors(t *testing.T) {
	fed := vaulttest.NewFederation()
	defer fed.Close()
	fed.MarkChained("ASIACHAINED")
	chained := consoleCreds
	chained.AccessKeyID = "ASIACHAINED"

	tests := []struct {
		name  string
		creds creds.Credentials
		opts  ConsoleOptions
		want  string
	}{
		{"long-term keys", creds.Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s"}, ConsoleOptions{FederationURL: fed.URL()}, "GetFederationToken"},
		{"duration too short", consoleCreds, ConsoleOptions{FederationURL: fed.URL(), SessionDuration: 14 * time.Minute}, "outside"},
		{"duration too long", consoleCreds, ConsoleOptions{FederationURL: fed.URL(), SessionDuration: 13 * time.Hour}, "outside"},
		{"bad endpoint", consoleCreds, ConsoleOptions{FederationURL: "signin.example.com"}, "not an http(s) URL"},
		{"chained with duration", chained, ConsoleOptions{FederationURL: fed.URL(), SessionDuration: time.Hour}, fed.URL() + " answered 400 Bad Request"},
		{"not found", consoleCreds, ConsoleOptions{FederationURL: fed.URL() + "/nope"}, "answered 404 Not Found"},
		{"unknown partition", consoleCreds, ConsoleOptions{FederationURL: fed.URL(), Partition: "aws-iso"}, `partition "aws-iso" is not one awsx knows`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ConsoleURL(context.Background(), tt.creds, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			assertNoSecrets(t, err)
		})
	}
	if g := fed.Grants(consoleCreds.AccessKeyID); len(g) != 0 {
		t.Errorf("refused requests were sent anyway: %+v", g)
	}
	// Without a duration the chained session is accepted.
	if _, err := ConsoleURL(context.Background(), chained, ConsoleOptions{FederationURL: fed.URL()}); err != nil {
		t.Errorf("chained session without duration: %v", err)
	}
}

func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
	for _, s := range []string{consoleCreds.SecretAccessKey, consoleCreds.SessionToken} {
		for _, form := range []string{s, url.QueryEscape(s), consoleEscape(s), "cr%2Fet", "ken%2Fwith"} {
			if strings.Contains(msg, form) {
				t.Errorf("error %q contains a secret (%q)", msg, form)
			}
		}
	}
}

// consoleTransport answers requests with a function instead of the network.
type consoleTransport func(*http.Request) (*http.Response, error)

func (f consoleTransport) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestConsoleURLDefaultEndpoints(t *testing.T) {
	tests := []struct{ region, partition, endpoint string }{
		{"", "", "https://signin.aws.amazon.com/federation"},
		{"eu-central-1", "", "https://signin.aws.amazon.com/federation"},
		{"us-gov-east-1", "", "https://signin.amazonaws-us-gov.com/federation"},
		{"cn-northwest-1", "", "https://signin.amazonaws.cn/federation"},
		// A role ARN's partition beats a region that says nothing of it.
		{"", "aws-us-gov", "https://signin.amazonaws-us-gov.com/federation"},
		{"cn-north-1", "aws-cn", "https://signin.amazonaws.cn/federation"},
	}
	for _, tt := range tests {
		t.Run(tt.region+"/"+tt.partition, func(t *testing.T) {
			var asked string
			client := &http.Client{Transport: consoleTransport(func(r *http.Request) (*http.Response, error) {
				asked = r.URL.Scheme + "://" + r.URL.Host + r.URL.Path
				return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`{"SigninToken":"tok"}`)), Header: http.Header{}}, nil
			})}
			got, err := ConsoleURL(context.Background(), consoleCreds, ConsoleOptions{Region: tt.region, Partition: tt.partition, HTTPClient: client})
			if err != nil {
				t.Fatal(err)
			}
			if asked != tt.endpoint || !strings.HasPrefix(got, tt.endpoint+"?Action=login&") {
				t.Errorf("asked %s, login URL %s; want endpoint %s", asked, got, tt.endpoint)
			}
		})
	}
}

func TestConsoleURLTransportErrorHidesSecrets(t *testing.T) {
	client := &http.Client{Transport: consoleTransport(func(r *http.Request) (*http.Response, error) {
		// A transport that quotes its request, as proxies' errors do.
		return nil, fmt.Errorf("proxy refused %s: %w", r.URL, r.Context().Err())
	})}
	_, err := ConsoleURL(context.Background(), consoleCreds, ConsoleOptions{HTTPClient: client})
	if err == nil || !strings.Contains(err.Error(), "https://signin.aws.amazon.com/federation") {
		t.Fatalf("error %v does not name the endpoint", err)
	}
	assertNoSecrets(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ConsoleURL(ctx, consoleCreds, ConsoleOptions{HTTPClient: client})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
	assertNoSecrets(t, err)
}

func TestSwitchRoleURL(t *testing.T) {
	tests := []struct {
		name                      string
		arn, display, color, want string
	}{
		{"palette name", "arn:aws:iam::123456789012:role/admin", "prod", "red",
			"https://signin.aws.amazon.com/switchrole?roleName=admin&account=123456789012&displayName=prod&color=F2B0A9"},
		{"hex with hash", "arn:aws:iam::123456789012:role/admin", "prod", "#00ff7F",
			"https://signin.aws.amazon.com/switchrole?roleName=admin&account=123456789012&displayName=prod&color=00FF7F"},
		{"unknown colour dropped", "arn:aws:iam::123456789012:role/admin", "prod", "chartreuse",
			"https://signin.aws.amazon.com/switchrole?roleName=admin&account=123456789012&displayName=prod"},
		{"escaping", "arn:aws:iam::123456789012:role/admin+ops", "prod & co=1 ü", "",
			"https://signin.aws.amazon.com/switchrole?roleName=admin%2Bops&account=123456789012&displayName=prod%20%26%20co%3D1%20%C3%BC"},
		// The console wants the role's path with its name.
		{"path kept", "arn:aws:iam::123456789012:role/team/ops/Admin", "prod", "",
			"https://signin.aws.amazon.com/switchrole?roleName=team%2Fops%2FAdmin&account=123456789012&displayName=prod"},
		{"no display name", "arn:aws:iam::123456789012:role/admin", "", "Blue",
			"https://signin.aws.amazon.com/switchrole?roleName=admin&account=123456789012&color=99BCE3"},
		// The ARN's partition decides, not a region.
		{"gov cloud", "arn:aws-us-gov:iam::123456789012:role/admin", "gov", "",
			"https://signin.amazonaws-us-gov.com/switchrole?roleName=admin&account=123456789012&displayName=gov"},
		{"china", "arn:aws-cn:iam::123456789012:role/admin", "cn", "",
			"https://signin.amazonaws.cn/switchrole?roleName=admin&account=123456789012&displayName=cn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SwitchRoleURL(tt.arn, tt.display, tt.color)
			if err != nil || got != tt.want {
				t.Errorf("got  %s (%v)\nwant %s", got, err, tt.want)
			}
		})
	}
}

func TestSwitchRoleURLRefusesWhatIsNotARole(t *testing.T) {
	for arn, want := range map[string]string{
		"":                                     "is not an IAM role ARN",
		"AssumableAdmin":                       "is not an IAM role ARN",
		"arn:aws:iam::123456789012:user/alice": "is not an IAM role ARN",
		"arn:aws:iam::123456789012:role/":      "is not an IAM role ARN",
		"arn:aws:iam::123456789012:role/team/": "is not an IAM role ARN",
		"arn:aws:sts::123456789012:assumed-role/a/b": "is not an IAM role ARN",
		"arn:aws-iso:iam::123456789012:role/admin":   `is in partition "aws-iso", whose console awsx does not know`,
	} {
		if _, err := SwitchRoleURL(arn, "x", ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("SwitchRoleURL(%q): err %v, want %q", arn, err, want)
		}
	}
}

func TestPortalConsoleURL(t *testing.T) {
	for start, want := range map[string]string{
		"https://corp.awsapps.com/start":  "https://corp.awsapps.com/start/#/console?account_id=111111111111&role_name=Admin%2BOps",
		"https://corp.awsapps.com/start/": "https://corp.awsapps.com/start/#/console?account_id=111111111111&role_name=Admin%2BOps",
		// Copied from the browser's address bar.
		"https://corp.awsapps.com/start/#":  "https://corp.awsapps.com/start/#/console?account_id=111111111111&role_name=Admin%2BOps",
		"https://corp.awsapps.com/start#/":  "https://corp.awsapps.com/start/#/console?account_id=111111111111&role_name=Admin%2BOps",
		"https://corp.awsapps.com/start/#/": "https://corp.awsapps.com/start/#/console?account_id=111111111111&role_name=Admin%2BOps",
	} {
		if got := PortalConsoleURL(start, "111111111111", "Admin+Ops"); got != want {
			t.Errorf("PortalConsoleURL(%q) = %s, want %s", start, got, want)
		}
	}
}

func TestSwitchRoleColor(t *testing.T) {
	tests := map[string]string{
		"red": "F2B0A9", " GREEN ": "B7CA9D", "purple": "C9B3E0", "abcdef": "ABCDEF", "#ABCDEF": "ABCDEF",
		"": "", "#abc": "", "abcdeg": "", "1234567": "", "##abcdef": "", "reddish": "",
	}
	for in, want := range tests {
		if got := SwitchRoleColor(in); got != want {
			t.Errorf("SwitchRoleColor(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSwitchRoleURL(f *testing.F) {
	f.Add("admin", "prod & co")
	f.Add("path/a+b/c", "100%")
	f.Fuzz(func(t *testing.T, role, display string) {
		got, err := SwitchRoleURL("arn:aws:iam::123456789012:role/"+role, display, "")
		if err != nil {
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			t.Fatal(err)
		}
		if q.Get("roleName") != role || q.Get("account") != "123456789012" || q.Get("displayName") != display {
			t.Errorf("round trip: %v from %q %q", q, role, display)
		}
		if u.Host != "signin.aws.amazon.com" || u.Path != "/switchrole" || u.Fragment != "" {
			t.Errorf("URL %s escapes its host or path", u)
		}
	})
}

func ExampleSwitchRoleURL() {
	u, _ := SwitchRoleURL("arn:aws:iam::123456789012:role/team/Admin", "prod", "red")
	fmt.Println(u)
	// Output: https://signin.aws.amazon.com/switchrole?roleName=team%2FAdmin&account=123456789012&displayName=prod&color=F2B0A9
}
