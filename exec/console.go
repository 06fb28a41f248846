package exec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/awsx-cli/awsx/vault/creds"
)

// ConsoleOptions tune ConsoleURL. The zero value signs in to the commercial
// partition's console with the session length AWS picks.
type ConsoleOptions struct {
	// FederationURL replaces the partition's federation endpoint; awsx sets
	// it from AWSX_FEDERATION_URL to reach a fake in tests.
	FederationURL string
	// Region is the console's region, and picks the partition (cn-*,
	// us-gov-*) unless Partition names it; empty means the credentials'
	// own Region.
	Region string
	// Partition is the partition's name (aws, aws-us-gov, aws-cn) where it
	// is known for sure, as from a role ARN; empty leaves it to Region.
	Partition string
	// SessionDuration is the console session's length, 15m to 12h. Zero
	// leaves it out, which callers must do for credentials from role
	// chaining: AWS refuses the parameter for those.
	SessionDuration time.Duration
	// Issuer is the sign-in page AWS sends the user to when the console
	// session ends; empty leaves it out.
	Issuer string
	// HTTPClient makes the getSigninToken request; nil means a client with
	// a 30-second timeout.
	HTTPClient *http.Client
}

// awsPartition holds the hosts that differ between AWS partitions.
type awsPartition struct {
	signin  string // sign-in host: federation and switch-role
	console string // console host: the destination after sign-in
}

// partitionFor returns the partition of region; the commercial one when the
// region is empty or unknown, since that is where most accounts live.
func partitionFor(region string) awsPartition {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return partitions["aws-cn"]
	case strings.HasPrefix(region, "us-gov-"):
		return partitions["aws-us-gov"]
	default:
		return partitions["aws"]
	}
}

// partitions are the AWS partitions by the name ARNs carry.
var partitions = map[string]awsPartition{
	"aws":        {signin: "signin.aws.amazon.com", console: "console.aws.amazon.com"},
	"aws-us-gov": {signin: "signin.amazonaws-us-gov.com", console: "console.amazonaws-us-gov.com"},
	"aws-cn":     {signin: "signin.amazonaws.cn", console: "console.amazonaws.cn"},
}

const (
	minConsoleSession = 15 * time.Minute
	maxConsoleSession = 12 * time.Hour
)

// ConsoleURL exchanges temporary credentials for a console sign-in URL through
// the AWS federation endpoint (getSigninToken, then Action=login). The URL
// signs whoever opens it in, so it must only be opened or printed, never
// logged. Errors never contain the secret key or the session token.
func ConsoleURL(ctx context.Context, creds creds.Credentials, opts ConsoleOptions) (string, error) {
	if creds.SessionToken == "" {
		return "", errors.New("console sign-in needs temporary credentials with a session token; " +
			"long-term IAM user keys must first be exchanged with GetFederationToken")
	}
	if d := opts.SessionDuration; d != 0 && (d < minConsoleSession || d > maxConsoleSession) {
		return "", fmt.Errorf("console session duration %s is outside the allowed %s to %s", d, minConsoleSession, maxConsoleSession)
	}
	region := opts.Region
	if region == "" {
		region = creds.Region
	}
	part := partitionFor(region)
	if opts.Partition != "" {
		p, ok := partitions[opts.Partition]
		if !ok {
			return "", fmt.Errorf("console sign-in: partition %q is not one awsx knows (aws, aws-us-gov, aws-cn)", opts.Partition)
		}
		part = p
	}
	endpoint := opts.FederationURL
	if endpoint == "" {
		endpoint = "https://" + part.signin + "/federation"
	}
	base, err := url.Parse(endpoint)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return "", fmt.Errorf("console sign-in: federation endpoint %q is not an http(s) URL", endpoint)
	}
	base.RawQuery, base.Fragment = "", ""
	// What errors show: no query (it would carry the session), no password.
	shown := base.Redacted()

	session, err := json.Marshal(struct {
		ID    string `json:"sessionId"`
		Key   string `json:"sessionKey"`
		Token string `json:"sessionToken"`
	}{creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken})
	if err != nil {
		return "", fmt.Errorf("console sign-in: encode session: %w", err)
	}
	params := []string{"Action", "getSigninToken", "Session", string(session)}
	if opts.SessionDuration != 0 {
		params = append(params, "SessionDuration", strconv.Itoa(int(opts.SessionDuration/time.Second)))
	}
	tokenURL := *base
	tokenURL.RawQuery = consoleQuery(params...)

	token, err := getSigninToken(ctx, opts.HTTPClient, tokenURL.String(), shown)
	if err != nil {
		// Longest forms first, so that a quoted URL loses its whole query.
		return "", redactSecrets(err, tokenURL.RawQuery, consoleEscape(string(session)), url.QueryEscape(string(session)),
			string(session), creds.SecretAccessKey, creds.SessionToken)
	}

	destination := "https://" + part.console + "/"
	if region != "" {
		destination += "?region=" + consoleEscape(region)
	}
	params = []string{"Action", "login"}
	if opts.Issuer != "" {
		params = append(params, "Issuer", opts.Issuer)
	}
	params = append(params, "Destination", destination, "SigninToken", token)
	loginURL := *base
	loginURL.RawQuery = consoleQuery(params...)
	return loginURL.String(), nil
}

// getSigninToken calls the federation endpoint at rawURL; shown is the
// endpoint as errors may name it.
func getSigninToken(ctx context.Context, client *http.Client, rawURL, shown string) (string, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", fmt.Errorf("console sign-in: %s: %w", shown, unwrapURLError(err))
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("console sign-in: %s: %w", shown, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// The body is an HTML page at best; the status says enough.
		return "", fmt.Errorf("console sign-in: %s answered %s", shown, resp.Status)
	}
	var body struct{ SigninToken string }
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		return "", fmt.Errorf("console sign-in: %s: read response: %w", shown, err)
	}
	if body.SigninToken == "" {
		return "", fmt.Errorf("console sign-in: %s returned no sign-in token", shown)
	}
	return body.SigninToken, nil
}

// unwrapURLError drops the *url.Error layer, whose message repeats the whole
// request URL, session included.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactSecrets returns err with the given secrets, in plain or query-escaped form,
// replaced, should a transport error have quoted the request URL. The result
// still answers errors.Is (for context.Canceled and the like) but hides the
// original chain, whose messages hold the secrets.
func redactSecrets(err error, secrets ...string) error {
	msg := err.Error()
	clean := msg
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), consoleEscape(s)} {
			clean = strings.ReplaceAll(clean, form, "REDACTED")
		}
	}
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, cause: err}
}

// redactedError is an error whose message has had secrets removed.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }

// Is lets errors.Is see through to the cause without offering Unwrap, which
// would hand out the unredacted messages.
func (e *redactedError) Is(target error) bool { return errors.Is(e.cause, target) }

// consoleEscape query-escapes v with %20 for spaces: the console's pages decode
// parameters with decodeURIComponent, which leaves a '+' as it is.
func consoleEscape(v string) string {
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}

// consoleQuery builds a query string from name, value pairs in the order given, so
// that URLs read as AWS documents them.
func consoleQuery(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(consoleEscape(pairs[i]))
		b.WriteByte('=')
		b.WriteString(consoleEscape(pairs[i+1]))
	}
	return b.String()
}

// consoleColors maps colour names to the console's switch-role palette, so
// that the same awsx_color word colours the prompt and the console. The first
// five are the console's own swatches; the others are close matches for the
// remaining terminal colour names.
var consoleColors = map[string]string{
	"red":     "F2B0A9",
	"orange":  "FBBF93",
	"yellow":  "FAD791",
	"green":   "B7CA9D",
	"blue":    "99BCE3",
	"purple":  "C9B3E0",
	"magenta": "C9B3E0",
	"cyan":    "9ED8DB",
}

// SwitchRoleColor returns the console's hex colour (no '#') for an awsx_color
// value: a palette name, or a 6-digit hex colour with or without '#'. It
// returns "" for anything else, so that the console falls back to its default
// instead of receiving a value it would reject.
func SwitchRoleColor(color string) string {
	c := strings.ToLower(strings.TrimSpace(color))
	if hex, ok := consoleColors[c]; ok {
		return hex
	}
	c = strings.TrimPrefix(c, "#")
	if len(c) != 6 {
		return ""
	}
	for _, r := range c {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return ""
		}
	}
	return strings.ToUpper(c)
}

// SwitchRoleURL returns the console's switch-role URL for the role of
// roleARN, for users already signed in to the console in another account
// of the same partition. The ARN decides everything the URL needs: its
// partition picks the sign-in host (a GovCloud role switches on
// signin.amazonaws-us-gov.com wherever its profile's region is), and the
// role's name keeps its path, as the console expects it (role/team/Admin
// is roleName team/Admin). Empty displayName and unknown colours are left
// out, leaving the console's defaults.
func SwitchRoleURL(roleARN, displayName, color string) (string, error) {
	parts := strings.SplitN(roleARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[4] == "" {
		return "", fmt.Errorf("role_arn %q is not an IAM role ARN such as arn:aws:iam::123456789012:role/Admin", roleARN)
	}
	name, ok := strings.CutPrefix(parts[5], "role/")
	if !ok || name == "" || strings.HasSuffix(name, "/") {
		return "", fmt.Errorf("role_arn %q is not an IAM role ARN such as arn:aws:iam::123456789012:role/Admin", roleARN)
	}
	part, ok := partitions[parts[1]]
	if !ok {
		return "", fmt.Errorf("role_arn %q is in partition %q, whose console awsx does not know (aws, aws-us-gov, aws-cn)", roleARN, parts[1])
	}
	params := []string{"roleName", name, "account", parts[4]}
	if displayName != "" {
		params = append(params, "displayName", displayName)
	}
	if hex := SwitchRoleColor(color); hex != "" {
		params = append(params, "color", hex)
	}
	return "https://" + part.signin + "/switchrole?" + consoleQuery(params...), nil
}

// PortalConsoleURL returns the AWS access portal's shortcut link that opens
// the console in account as the permission set roleName, through the SSO
// session the browser already has with the portal at startURL. It is what
// switching role means for an IAM Identity Center profile: the console's
// own switch-role page cannot assume a permission set's role, whose real
// name (AWSReservedSSO_NAME_HASH) and path only the portal knows.
func PortalConsoleURL(startURL, account, roleName string) string {
	// The portal's own links are fragments; a start URL copied from the
	// browser may carry one already.
	base, _, _ := strings.Cut(startURL, "#")
	base = strings.TrimRight(base, "/")
	return base + "/#/console?" + consoleQuery("account_id", account, "role_name", roleName)
}
