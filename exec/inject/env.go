// Package inject hands credentials to a process: the environment of a
// child, running it in place of awsx, and the export formats for eval and
// credential_process. It is package exec's light half, apart because a warm
// exec or export runs it while awsx is still starting (package warm),
// before net/http, which the credential server and the console need, and
// the AWS SDK have initialised. It never calls STS or SSO itself.
package inject

import (
	"strconv"
	"strings"
	"time"

	"github.com/awsx-cli/awsx/shells"
	"github.com/awsx-cli/awsx/vault/creds"
)

// removed are the variables a child must not inherit: they would point the
// SDKs at another profile, or they are leftovers of another credential
// mechanism that could take precedence over the keys awsx sets.
var removed = []string{
	"AWS_PROFILE",
	"AWS_DEFAULT_PROFILE",
	"AWS_SECURITY_TOKEN",
	"AWS_SESSION_EXPIRATION",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_ROLE_ARN",
}

// Vars is the change to an environment that hands credentials c to a
// process: SPEC §4's variables set, the competing ones removed, and no
// keyring secret left behind. region overrides c.Region when not empty.
func Vars(c creds.Credentials, region string) []shells.Assignment {
	if region == "" {
		region = c.Region
	}
	var out []shells.Assignment
	set := func(k, v string) { out = append(out, shells.Set(k, v)) }
	set("AWS_ACCESS_KEY_ID", c.AccessKeyID)
	set("AWS_SECRET_ACCESS_KEY", c.SecretAccessKey)
	if c.SessionToken != "" {
		set("AWS_SESSION_TOKEN", c.SessionToken)
	}
	if c.CanExpire() {
		set("AWS_CREDENTIAL_EXPIRATION", c.Expires.UTC().Format(time.RFC3339))
		set("AWSX_EXPIRATION", strconv.FormatInt(c.Expires.Unix(), 10))
	}
	if region != "" {
		set("AWS_REGION", region)
		set("AWS_DEFAULT_REGION", region)
	}
	set("AWSX_PROFILE", c.Profile)
	set("AWS_VAULT", c.Profile)
	if c.AccountID != "" {
		set("AWSX_ACCOUNT_ID", c.AccountID)
	}
	for _, k := range removed {
		out = append(out, shells.Unset(k))
	}
	if c.SessionToken == "" {
		out = append(out, shells.Unset("AWS_SESSION_TOKEN"))
	}
	if !c.CanExpire() {
		out = append(out, shells.Unset("AWS_CREDENTIAL_EXPIRATION"), shells.Unset("AWSX_EXPIRATION"))
	}
	if c.AccountID == "" {
		out = append(out, shells.Unset("AWSX_ACCOUNT_ID"))
	}
	return out
}

// ShellVars is Vars for a shell the hook switches: the same, without any
// keyring variable, which must not reach a shell that children inherit.
func ShellVars(c creds.Credentials, region string) []shells.Assignment {
	var out []shells.Assignment
	for _, as := range Vars(c, region) {
		if !creds.IsKeyringVariable(as.Name) {
			out = append(out, as)
		}
	}
	return out
}

// ServerVars is Vars for `exec --server`: the child gets no keys, only what
// names the profile and region; the keys come from the credential server.
func ServerVars(c creds.Credentials, region string) []shells.Assignment {
	var out []shells.Assignment
	for _, a := range Vars(c, region) {
		switch a.Name {
		case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWSX_EXPIRATION":
			a = shells.Unset(a.Name)
		case "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN":
			continue // the server sets these
		}
		out = append(out, a)
	}
	return out
}

// Environ applies vars to env (KEY=VALUE pairs) and drops every keyring
// secret, giving the environment of a child process. When vars switch to a
// profile (AWSX_PROFILE), the shell hook's bookkeeping inherited from the
// parent is replaced with the child's own, which keeps a shell started as
// the child on that profile.
func Environ(env []string, vars []shells.Assignment) []string {
	out := apply(env, vars)
	for _, a := range vars {
		if a.Name == "AWSX_PROFILE" && !a.Unset {
			out = apply(out, shells.ExecState(a.Value, out))
		}
	}
	return out
}

// EnvValue returns the value of name in env (KEY=VALUE pairs) that a
// child would see: the last, names compared as the platform does.
func EnvValue(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && SameEnvName(k, name) {
			return v
		}
	}
	return ""
}

func apply(env []string, vars []shells.Assignment) []string {
	change := make(map[string]shells.Assignment, len(vars))
	for _, a := range vars {
		change[a.Name] = a
	}
	out := make([]string, 0, len(env)+len(vars))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := change[name]; ok || creds.IsKeyringVariable(name) {
			continue
		}
		out = append(out, kv)
	}
	for _, a := range vars {
		if !a.Unset && !creds.IsKeyringVariable(a.Name) {
			out = append(out, a.Name+"="+a.Value)
		}
	}
	return out
}
