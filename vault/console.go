package vault

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// allowAll is the session policy of a federation token: the federated
// session gets the intersection of it and the IAM user's own permissions,
// so the console can do what the user can.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// ConsoleSession is what the console federation endpoint gets for a
// profile: the session, and what to ask getSigninToken for.
type ConsoleSession struct {
	Credentials
	// SessionDuration is the console session length to ask for; zero
	// leaves it out, as AWS requires for role-chained sessions and as it
	// documents for federation tokens, whose own length is the console's.
	SessionDuration time.Duration
	// Partition is the partition of the profile's role_arn (aws,
	// aws-us-gov, aws-cn), or "" when the profile has none.
	Partition string
}

// ConsoleCredentials returns the session the console federation endpoint
// accepts for profile name: the profile's own session, or for an IAM user,
// a GetFederationToken session made from the long-term keys for
// o.Duration (the endpoint refuses long-term keys and GetSessionToken
// sessions alike). o.Duration becomes the console's SessionDuration only
// where AWS takes it: for a role session that awsx assumed, or got from
// the SSO portal, without role chaining.
func (v *Vault) ConsoleCredentials(ctx context.Context, name string, o Options) (ConsoleSession, error) {
	p, err := v.Config.Profile(name)
	if err != nil {
		return ConsoleSession{}, err
	}
	if p.IsIAMUser() {
		c, err := v.federationToken(ctx, p, o)
		return ConsoleSession{Credentials: c}, err
	}
	// --duration is the console's length here, not the role session's:
	// any valid session signs in, and a cached one serves.
	ro := o
	ro.Duration = 0
	c, err := v.Credentials(ctx, name, ro)
	if err != nil {
		return ConsoleSession{}, err
	}
	cs := ConsoleSession{Credentials: c, Partition: partitionOf(p.RoleARN)}
	switch {
	case o.Duration == 0:
	case c.Chained:
		v.infof("%s is a chained role session; the console keeps AWS's default length", name)
	case p.RoleARN == "" && !p.isSSO():
		// A credential_process or the environment made the session: how,
		// awsx cannot know, and AWS refuses the length for a chained one.
		v.infof("%s gets its session from outside awsx, which cannot tell whether AWS allows it a console length; the console keeps AWS's default", name)
	default:
		cs.SessionDuration = o.Duration
	}
	return cs, nil
}

// federationToken makes a GetFederationToken session from an IAM user's
// long-term keys, lasting o.Duration (default 12h): the console session
// lasts as long as it.
func (v *Vault) federationToken(ctx context.Context, p *Profile, o Options) (Credentials, error) {
	keys, err := v.userKeys(p)
	if err != nil {
		return Credentials{}, err
	}
	if _, err := keys.prov.Retrieve(ctx); err != nil {
		return Credentials{}, err
	}
	client, err := v.stsClient(ctx, p, keys.prov)
	if err != nil {
		return Credentials{}, err
	}
	duration := firstDuration(o.Duration, DefaultSessionDuration)
	v.debugf("GetFederationToken for %s (%s)", p.Name, duration)
	out, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name:            aws.String(federatedName(p.Name)),
		DurationSeconds: aws.Int32(int32(duration.Seconds())),
		Policy:          aws.String(allowAll),
	})
	if err != nil {
		return Credentials{}, friendly(p.Name, "get federation token", err)
	}
	c := out.Credentials
	if c == nil || out.FederatedUser == nil {
		return Credentials{}, fmt.Errorf("profile %q: get federation token: %w", p.Name, errNoCredentials)
	}
	return Credentials{
		Profile:         p.Name,
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Expires:         aws.ToTime(c.Expiration).UTC(),
		AccountID:       accountFromARN(aws.ToString(out.FederatedUser.Arn)),
		Region:          firstNonEmpty(o.Region, effectiveRegion(p)),
	}, nil
}

// federatedName fits GetFederationToken's Name: 2-32 characters of
// [\w+=,.@-].
func federatedName(profile string) string {
	b := []rune{}
	for _, r := range "awsx-" + profile {
		ok := r == '_' || r == '+' || r == '=' || r == ',' || r == '.' || r == '@' || r == '-' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if ok {
			b = append(b, r)
		}
		if len(b) == 32 {
			break
		}
	}
	return string(b)
}
