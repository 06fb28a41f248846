package vault

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
)

// webIdentityProvider assumes a role with an OIDC token file (a CI job's
// identity), through the SDK's provider.
type webIdentityProvider struct {
	v *Vault
	p *Profile
	o Options
}

func (w *webIdentityProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	client, err := w.v.stsClient(ctx, w.p, aws.AnonymousCredentials{})
	if err != nil {
		return aws.Credentials{}, err
	}
	prov := stscreds.NewWebIdentityRoleProvider(client, w.p.RoleARN, stscreds.IdentityTokenFile(w.p.WebIdentityTokenFile),
		func(o *stscreds.WebIdentityRoleOptions) {
			o.RoleSessionName = sessionName(w.p, w.v.now())
			o.Duration = firstDuration(w.o.Duration, w.p.Duration, time.Hour)
		})
	c, err := prov.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, friendly(w.p.Name, "assume role with web identity "+w.p.RoleARN, err)
	}
	if c.AccountID == "" {
		c.AccountID = accountFromARN(w.p.RoleARN)
	}
	return c, nil
}
