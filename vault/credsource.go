package vault

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
)

// credentialSource is the source named by credential_source, for a role
// profile without source_profile.
func (v *Vault) credentialSource(p *Profile) (link, error) {
	switch p.CredentialSource {
	case "Environment":
		return v.envProvider(p)
	case "Ec2InstanceMetadata":
		return link{prov: ec2rolecreds.New(), role: true}, nil
	case "EcsContainer":
		url := v.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
		if rel := v.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); url == "" && rel != "" {
			url = "http://169.254.170.2" + rel
		}
		if url == "" {
			return link{}, fmt.Errorf("profile %q: credential_source EcsContainer needs AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI", p.Name)
		}
		token := v.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
		return link{prov: endpointcreds.New(url, func(o *endpointcreds.Options) { o.AuthorizationToken = token }), role: true}, nil
	case "":
		return link{}, fmt.Errorf("profile %q: role_arn needs source_profile or credential_source in %s", p.Name, v.Config.Path)
	}
	return link{}, fmt.Errorf("profile %q: credential_source %q is not one of Environment, Ec2InstanceMetadata, EcsContainer in %s", p.Name, p.CredentialSource, v.Config.Path)
}
