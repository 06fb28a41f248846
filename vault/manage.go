package vault

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsx-cli/awsx/internal/items"
)

// validAccessKeyID checks the shape of an IAM user's access key id. Plain
// code rather than a regexp: a bounded repetition compiles to a large
// program at every start of awsx.
func validAccessKeyID(id string) bool {
	if len(id) < 16 || len(id) > 128 || !strings.HasPrefix(id, "AKIA") {
		return false
	}
	return strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == ""
}

func validSecret(s string) bool {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+="
	return len(s) >= 16 && len(s) <= 128 && strings.Trim(s, alphabet) == ""
}

// AddKeys stores an IAM user's long-term access key for profile name.
func (v *Vault) AddKeys(name, id, secret string) error {
	id, secret = strings.TrimSpace(id), strings.TrimSpace(secret)
	if !validAccessKeyID(id) {
		// The value is not repeated: a secret pasted into the wrong
		// variable would land in a CI log.
		return fmt.Errorf("the access key id (%d characters) is not an IAM user's (AKIA followed by capital letters and digits)", len(id))
	}
	if !validSecret(secret) {
		return errors.New("the secret access key is not 16 to 128 characters of A-Z, a-z, 0-9, / + =")
	}
	// Storing the key already there changes nothing; another key (or one
	// that cannot be read to compare) is a new identity, and the sessions
	// made with the old one go.
	var old storedKeys
	same, err := v.Keyring.get(items.Keys(name), &old)
	same = err == nil && same && old.AccessKeyID == id && old.SecretAccessKey == secret
	if err := v.Keyring.set(items.Keys(name), "access key of "+name, storedKeys{AccessKeyID: id, SecretAccessKey: secret, Added: v.now().UTC()}); err != nil {
		return err
	}
	if same {
		return nil
	}
	return v.dropSessionsThrough(name)
}

// Logout drops cached sessions and SSO logins: all of them when name is
// empty, else those of profile name and of every profile whose chain goes
// through it. Long-term keys stay. It returns the items removed.
func (v *Vault) Logout(name string) ([]string, error) {
	names, err := v.Keyring.keys()
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	if name == "" {
		for _, n := range names {
			if strings.HasPrefix(n, items.SessionPrefix) || strings.HasPrefix(n, items.SSOPrefix) {
				drop[n] = true
			}
		}
	} else {
		if !v.Config.Has(name) {
			return nil, &ProfileNotFoundError{Name: name, Path: v.Config.Path, Suggestion: closest(name, v.Config.names)}
		}
		drop = v.sessionsThrough(name)
		if p, err := v.Config.Profile(name); err == nil && p.SSOStartURL != "" {
			drop[ssoItem(p.SSOStartURL)] = true
		}
	}
	var removed []string
	for _, n := range names {
		if drop[n] {
			if err := v.Keyring.remove(n); err != nil {
				return removed, err
			}
			removed = append(removed, n)
		}
	}
	return removed, nil
}

// sessionsThrough names the session items of profile name and of every
// profile whose chain goes through it: all of them were made with name's
// credentials.
func (v *Vault) sessionsThrough(name string) map[string]bool {
	sessions := map[string]bool{items.Session(name): true}
	for _, other := range v.Config.Names() {
		p, err := v.Config.Profile(other)
		if err != nil {
			continue
		}
		for q := p; q != nil; q = q.Source {
			if q.Name == name {
				sessions[items.Session(other)] = true
			}
		}
	}
	return sessions
}

// dropSessionsThrough removes the sessions made with profile name's
// credentials, after its keys changed.
func (v *Vault) dropSessionsThrough(name string) error {
	for item := range v.sessionsThrough(name) {
		if err := v.Keyring.remove(item); err != nil {
			return err
		}
	}
	return nil
}

// RemoveKeys deletes profile name's long-term keys and the sessions made
// with them.
func (v *Vault) RemoveKeys(name string) error {
	has, err := v.Keyring.has(items.Keys(name))
	if err != nil {
		return err
	}
	if !has {
		return fmt.Errorf("profile %q has no access key in the keyring", name)
	}
	if err := v.Keyring.remove(items.Keys(name)); err != nil {
		return err
	}
	return v.dropSessionsThrough(name)
}

// HasKeys reports whether profile name has long-term keys in the keyring.
func (v *Vault) HasKeys(name string) (bool, error) { return v.Keyring.has(items.Keys(name)) }

// Rotate replaces profile name's access key: it creates a new key, checks
// that it works, stores it and only then deletes the old one. If anything
// fails before the store, the new key is deleted and the old one kept.
func (v *Vault) Rotate(ctx context.Context, name string, o Options) (oldID, newID string, err error) {
	p, err := v.Config.Profile(name)
	if err != nil {
		return "", "", err
	}
	if !p.IsIAMUser() {
		return "", "", fmt.Errorf("profile %q is a %s profile; only IAM users' access keys can be rotated", name, p.Kind())
	}
	var old storedKeys
	ok, err := v.Keyring.get(items.Keys(name), &old)
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", &NoKeysError{Profile: name}
	}
	// IAM refuses calls without MFA when the user's policy asks for it, so
	// with mfa_serial the calls go through the MFA session.
	var caller aws.CredentialsProvider = staticProvider(aws.Credentials{AccessKeyID: old.AccessKeyID, SecretAccessKey: old.SecretAccessKey})
	if p.MFASerial != "" {
		if caller, err = v.provider(ctx, p, o, true); err != nil {
			return "", "", err
		}
	}
	cfg, err := v.awsConfig(ctx, p, "", caller)
	if err != nil {
		return "", "", err
	}
	iamc := newIAMClient(ctx, cfg)
	created, err := iamc.createAccessKey(ctx)
	if err != nil {
		return "", "", friendly(name, "create a new access key", err)
	}
	fresh := storedKeys{AccessKeyID: created.AccessKeyID, SecretAccessKey: created.SecretAccessKey, Added: v.now().UTC()}
	undo := func(cause error) (string, string, error) {
		// Even after Ctrl-C: a key left behind in IAM is a loose secret.
		derr := iamc.deleteAccessKey(context.WithoutCancel(ctx), fresh.AccessKeyID)
		if derr != nil {
			return "", "", fmt.Errorf("%w; the new key %s could not be deleted either, delete it in IAM", cause, fresh.AccessKeyID)
		}
		return "", "", fmt.Errorf("%w; the old key is still in use", cause)
	}
	if err := v.verifyKeys(ctx, p, fresh); err != nil {
		return undo(err)
	}
	if err := v.Keyring.set(items.Keys(name), "access key of "+name, fresh); err != nil {
		return undo(err)
	}
	_ = v.dropSessionsThrough(name)
	if err := iamc.deleteAccessKey(ctx, old.AccessKeyID); err != nil {
		return old.AccessKeyID, fresh.AccessKeyID, friendly(name, "the new key is stored, but deleting the old key "+old.AccessKeyID+" failed; delete it in IAM", err)
	}
	return old.AccessKeyID, fresh.AccessKeyID, nil
}

// verifyKeys calls GetCallerIdentity with k, retrying briefly while STS
// does not know the key yet: a new IAM key takes a few seconds to work
// everywhere. Any other failure is final.
func (v *Vault) verifyKeys(ctx context.Context, p *Profile, k storedKeys) error {
	client, err := v.stsClient(ctx, p, staticProvider(aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey}))
	if err != nil {
		return err
	}
	deadline := v.now().Add(15 * time.Second)
	for {
		_, err = client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		var api smithy.APIError
		if err == nil || !errors.As(err, &api) || api.ErrorCode() != "InvalidClientTokenId" || v.now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		return friendly(p.Name, "verify the new access key", err)
	}
	return nil
}

// Status is what `awsx list` shows of one profile.
type Status struct {
	Name    string     `json:"name"`
	Kind    string     `json:"kind"`
	Source  string     `json:"source,omitempty"`
	Account string     `json:"account,omitempty"`
	Role    string     `json:"role,omitempty"`
	Region  string     `json:"region,omitempty"`
	HasKeys bool       `json:"has_keys,omitempty"`
	Session string     `json:"session"` // "active", "expired", "none", "unreadable", "locked"
	Expires *time.Time `json:"expires,omitempty"`
	Error   string     `json:"error,omitempty"`
}

// List reports every profile with the state of its session. When the
// keyring cannot be opened, sessions show as "locked" and keyErr says why.
func (v *Vault) List() (out []Status, keyErr error) {
	names, keyErr := v.Keyring.keys()
	stored := map[string]bool{}
	for _, n := range names {
		stored[n] = true
	}
	for _, name := range v.Config.Names() {
		s := Status{Name: name, Session: "none"}
		p, err := v.Config.Profile(name)
		if err != nil {
			s.Kind, s.Error = "invalid", err.Error()
			out = append(out, s)
			continue
		}
		s.Kind, s.Region = p.Kind(), effectiveRegion(p)
		switch {
		case p.Source != nil:
			s.Source = p.Source.Name
		case p.CredentialSource != "":
			s.Source = p.CredentialSource
		case p.SSOSession != "":
			s.Source = "sso-session " + p.SSOSession
		case p.SSOStartURL != "":
			s.Source = p.SSOStartURL
		}
		s.Account = firstNonEmpty(accountFromARN(p.RoleARN), p.SSOAccountID, accountFromARN(p.MFASerial))
		s.Role = firstNonEmpty(roleName(p.RoleARN), p.SSORoleName)
		s.HasKeys = stored[items.Keys(name)]
		switch {
		case keyErr != nil:
			s.Session = "locked"
		case stored[items.Session(name)]:
			var sess storedSession
			if _, err := v.Keyring.get(items.Session(name), &sess); err != nil {
				s.Session, s.Error = "unreadable", err.Error()
			} else {
				exp := sess.Expires
				s.Expires = &exp
				s.Session = "active"
				if !v.now().Before(exp) {
					s.Session = "expired"
				}
				if s.Account == "" {
					s.Account = sess.AccountID
				}
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, keyErr
}

func roleName(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 && strings.Contains(arn, ":role/") {
		return arn[i+1:]
	}
	return ""
}
