package vault

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultSessionDuration is the length of an IAM user's GetSessionToken
// session (the bastion session of the MFA pattern).
const DefaultSessionDuration = 12 * time.Hour

// sessionTokenProvider turns an IAM user's long-term keys into a
// GetSessionToken session, with the MFA code where mfa_serial asks for one,
// so that a child process never holds the long-term keys.
type sessionTokenProvider struct {
	v    *Vault
	p    *Profile
	keys aws.CredentialsProvider
	o    Options
}

func (s *sessionTokenProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	duration := firstDuration(s.o.Duration, DefaultSessionDuration)
	in := &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(int32(duration.Seconds()))}
	if s.p.MFASerial != "" {
		code, err := s.v.mfaCode(ctx, s.p, s.p.MFASerial, s.p.MFAProcess, s.o)
		if err != nil {
			return aws.Credentials{}, err
		}
		in.SerialNumber, in.TokenCode = aws.String(s.p.MFASerial), aws.String(code)
	}
	// Resolve the keys first so a missing key is reported as such, not as
	// an STS failure.
	if _, err := s.keys.Retrieve(ctx); err != nil {
		return aws.Credentials{}, err
	}
	client, err := s.v.stsClient(ctx, s.p, s.keys)
	if err != nil {
		return aws.Credentials{}, err
	}
	s.v.debugf("GetSessionToken for %s (%s)", s.p.Name, duration)
	out, err := client.GetSessionToken(ctx, in)
	if err != nil {
		return aws.Credentials{}, friendly(s.p.Name, "get session token", err)
	}
	account := accountFromARN(s.p.MFASerial)
	if account == "" {
		// Only on a cold start: the account id makes the prompt and
		// AWSX_ACCOUNT_ID useful, and is cached with the session.
		if id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
			account = aws.ToString(id.Account)
		}
	}
	creds, err := fromSTS(out.Credentials, account, "GetSessionToken")
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("profile %q: get session token: %w", s.p.Name, err)
	}
	return creds, nil
}
