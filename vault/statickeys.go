package vault

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsx-cli/awsx/internal/items"
)

// userKeysProvider yields an IAM user's long-term keys from the keyring, or
// from the config file where someone wrote them there.
type userKeysProvider struct {
	v *Vault
	p *Profile
}

func (u *userKeysProvider) Retrieve(context.Context) (aws.Credentials, error) {
	var k storedKeys
	ok, err := u.v.Keyring.get(items.Keys(u.p.Name), &k)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("profile %q: %w", u.p.Name, err)
	}
	if !ok {
		if u.p.FileKeyID != "" {
			return aws.Credentials{AccessKeyID: u.p.FileKeyID, SecretAccessKey: u.p.FileSecret, Source: "config file"}, nil
		}
		return aws.Credentials{}, &NoKeysError{Profile: u.p.Name}
	}
	return aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey, Source: "awsx keyring",
		AccountID: accountFromARN(u.p.MFASerial)}, nil
}

// NoKeysError means an IAM-user profile has no access key stored.
type NoKeysError struct{ Profile string }

func (e *NoKeysError) Error() string {
	return fmt.Sprintf("profile %q has no access key in the keyring; store one with 'awsx add %s'", e.Profile, e.Profile)
}

// userKeys decides where an IAM user's keys come from. Keys in the
// environment that awsx did not put there (a CI job's) stand in for a
// profile with no keys in the keyring; nothing is written to the keyring
// then.
func (v *Vault) userKeys(p *Profile) (link, error) {
	fromKeyring := link{prov: &userKeysProvider{v: v, p: p}, longTerm: true, user: p}
	if !v.ciKeysAvailable() || p.FileKeyID != "" {
		return fromKeyring, nil
	}
	if has, err := v.Keyring.has(items.Keys(p.Name)); err == nil && has {
		return fromKeyring, nil
	} else if err != nil {
		v.debugf("keyring unavailable (%v); using the environment's keys for %s", err, p.Name)
	}
	v.debugf("profile %s: using the environment's access key", p.Name)
	env, err := v.envProvider(p)
	if err != nil {
		return link{}, err
	}
	env.longTerm, env.user = true, p
	return env, nil
}

// ciKeysAvailable reports whether the environment holds keys that awsx did
// not set: awsx marks what it sets with AWSX_PROFILE.
func (v *Vault) ciKeysAvailable() bool {
	return v.getenv("AWS_ACCESS_KEY_ID") != "" && v.getenv("AWS_SECRET_ACCESS_KEY") != "" && v.getenv("AWSX_PROFILE") == ""
}

// envProvider reads keys from the environment, as credential_source =
// Environment asks.
func (v *Vault) envProvider(p *Profile) (link, error) {
	id, secret := v.getenv("AWS_ACCESS_KEY_ID"), v.getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return link{}, fmt.Errorf("profile %q: credential_source Environment needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set", p.Name)
	}
	token := v.getenv("AWS_SESSION_TOKEN")
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Source: "environment"}
	// Temporary keys in the environment are most likely a role session
	// (a CI job's OIDC role); the assume step still falls back to one hour
	// if AWS says otherwise.
	return link{prov: staticProvider(creds), ephemeral: true, role: token != ""}, nil
}

type staticProvider aws.Credentials

func (s staticProvider) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials(s), nil
}
