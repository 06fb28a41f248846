package vault

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// allowAll is the session policy of a federation token: the federated
// session gets the intersection of it and the IAM user's own permissions,
// so the console can do what the user can.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// Chained reports whether a profile's session is a role assumed with role
// credentials: AWS caps it at one hour and the console refuses a
// SessionDuration for it.
func (p *Profile) Chained() bool {
	if p.RoleARN == "" || p.WebIdentityTokenFile != "" {
		return false
	}
	if p.Source == nil {
		return p.CredentialSource == "Ec2InstanceMetadata" || p.CredentialSource == "EcsContainer"
	}
	switch p.Source.Kind() {
	case "role", "sso", "web-identity":
		return true
	}
	return false
}

// ConsoleCredentials returns credentials the console federation endpoint
// accepts for profile name: the profile's session, or for an IAM user, a
// GetFederationToken session made from the long-term keys (the endpoint
// refuses long-term keys and GetSessionToken sessions alike).
func (v *Vault) ConsoleCredentials(ctx context.Context, name string, o Options) (Credentials, *Profile, error) {
	p, err := v.Config.Profile(name)
	if err != nil {
		return Credentials{}, nil, err
	}
	if !p.IsIAMUser() {
		c, err := v.Credentials(ctx, name, o)
		return c, p, err
	}
	keys, err := v.userKeys(p)
	if err != nil {
		return Credentials{}, p, err
	}
	if _, err := keys.prov.Retrieve(ctx); err != nil {
		return Credentials{}, p, err
	}
	client, err := v.stsClient(ctx, p, keys.prov)
	if err != nil {
		return Credentials{}, p, err
	}
	duration := firstDuration(o.Duration, DefaultSessionDuration)
	out, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name:            aws.String(federatedName(name)),
		DurationSeconds: aws.Int32(int32(duration.Seconds())),
		Policy:          aws.String(allowAll),
	})
	if err != nil {
		return Credentials{}, p, friendly(name, "get federation token", err)
	}
	c := out.Credentials
	if c == nil || out.FederatedUser == nil {
		return Credentials{}, p, fmt.Errorf("profile %q: get federation token: %w", name, errNoCredentials)
	}
	return Credentials{
		Profile:         name,
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Expires:         aws.ToTime(c.Expiration).UTC(),
		AccountID:       accountFromARN(aws.ToString(out.FederatedUser.Arn)),
		Region:          firstNonEmpty(o.Region, effectiveRegion(p)),
	}, p, nil
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
