package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsx-cli/awsx/internal/items"
)

// link is one resolved step of a profile's chain: the provider and what
// kind of credentials it yields, which decides how the next step may use
// them.
type link struct {
	prov aws.CredentialsProvider
	// role: the credentials are a role session (assumed role, SSO
	// permission set, web identity); a role assumed with them is chained
	// and AWS caps it at one hour.
	role bool
	// longTerm: an IAM user's long-term keys; user is that profile.
	longTerm bool
	user     *Profile
	// ephemeral: the chain starts from environment keys (CI); nothing may
	// be written to the keyring.
	ephemeral bool
}

// provider returns the credentials provider of profile p: the link for p,
// wrapped in the keyring cache wherever the session may be kept.
func (v *Vault) provider(ctx context.Context, p *Profile, o Options, top bool) (aws.CredentialsProvider, error) {
	l, err := v.link(ctx, p, o, top)
	if err != nil {
		return nil, err
	}
	return l.prov, nil
}

func (v *Vault) link(ctx context.Context, p *Profile, o Options, top bool) (link, error) {
	switch {
	case p.RoleARN != "" && p.WebIdentityTokenFile != "":
		return link{prov: v.cached(p, &webIdentityProvider{v: v, p: p, o: o}, o), role: true}, nil

	case p.RoleARN != "":
		var src link
		var err error
		if p.Source != nil {
			// --duration shapes the session handed out, not its sources.
			so := o
			so.Duration = 0
			src, err = v.link(ctx, p.Source, so, false)
		} else {
			src, err = v.credentialSource(p)
		}
		if err != nil {
			return link{}, err
		}
		ar := &assumeRoleProvider{v: v, p: p, src: src, o: o}
		if src.ephemeral {
			return link{prov: ar, role: true, ephemeral: true}, nil
		}
		if src.longTerm {
			// The IAM user's own MFA session, when one is cached, lets a
			// role be assumed without a new code.
			uo := o
			uo.Duration = 0
			ar.userSession = v.cached(src.user, &sessionTokenProvider{v: v, p: src.user, keys: src.prov, o: uo}, uo).(*cachedProvider)
		}
		return link{prov: v.cachedTop(p, ar, o, top && o.Login), role: true}, nil

	case p.isSSO():
		return v.ssoLink(p, o)

	case p.CredentialProcess != "":
		return link{prov: newProcessProvider(v, p)}, nil

	case p.CredentialSource != "":
		return v.credentialSource(p)
	}

	keys, err := v.userKeys(p)
	if err != nil {
		return link{}, err
	}
	if !top || keys.ephemeral {
		// Roles are assumed straight from the long-term keys: only that
		// gives them their full duration_seconds. In CI the environment's
		// keys are handed on as they are.
		return keys, nil
	}
	st := &sessionTokenProvider{v: v, p: p, keys: keys.prov, o: o}
	return link{prov: v.cachedTop(p, st, o, o.Login)}, nil
}

// cached wraps prov in the keyring cache under p's session item.
func (v *Vault) cached(p *Profile, prov aws.CredentialsProvider, o Options) aws.CredentialsProvider {
	return v.cachedTop(p, prov, o, false)
}

// cachedTop is cached, optionally skipping the lookup so that a fresh
// session replaces the cached one (awsx login).
func (v *Vault) cachedTop(p *Profile, prov aws.CredentialsProvider, o Options, fresh bool) aws.CredentialsProvider {
	return &cachedProvider{v: v, item: items.Session(p.Name), fingerprint: fingerprint(p), inner: prov, fresh: fresh, interactive: o.Interactive, requested: o.Duration}
}

// fingerprint digests everything that decides what a profile's session is,
// so a cached session made under another configuration is not reused.
func fingerprint(p *Profile) string {
	var b strings.Builder
	for q := p; q != nil; q = q.Source {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n", q.Name, q.Kind(), q.RoleARN, q.ExternalID,
			q.MFASerial, q.SSOStartURL, q.SSOAccountID, q.SSORoleName, q.CredentialSource, q.WebIdentityTokenFile)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:12])
}
