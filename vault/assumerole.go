package vault

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// chainingCap is AWS's limit on a role session assumed with role
// credentials.
const chainingCap = time.Hour

// assumeRoleProvider assumes p's role with the credentials of its source.
type assumeRoleProvider struct {
	v   *Vault
	p   *Profile
	src link
	o   Options
	// userSession is the MFA session of the IAM user the role is assumed
	// from, looked up but never fetched: with it, no code is needed.
	userSession *cachedProvider
}

func (a *assumeRoleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	duration := firstDuration(a.o.Duration, a.p.Duration, time.Hour)
	if a.src.role && duration > chainingCap {
		a.notifyChaining()
		duration = chainingCap
	}
	in := &sts.AssumeRoleInput{
		RoleArn:         aws.String(a.p.RoleARN),
		RoleSessionName: aws.String(sessionName(a.p, a.v.now())),
		DurationSeconds: aws.Int32(int32(duration.Seconds())),
	}
	if a.p.ExternalID != "" {
		in.ExternalId = aws.String(a.p.ExternalID)
	}
	// mfa_serial may sit on the role (as the AWS CLI reads it) or on the
	// IAM user the role is assumed from (as teams write it once).
	serial, process := a.p.MFASerial, a.p.MFAProcess
	if a.src.longTerm {
		serial = firstNonEmpty(serial, a.src.user.MFASerial)
		process = firstNonEmpty(process, a.src.user.MFAProcess)
	}
	source := a.src.prov
	if serial != "" {
		if via, ok := a.viaUserSession(serial, process, duration); ok {
			// AWS treats a role assumed with a GetSessionToken session as
			// chained: one hour, renewed silently from the 12h session.
			source = via
			if duration > chainingCap {
				a.v.noticeOnce("mfa:"+a.p.Name, "%s: assumed with %s's MFA session, which AWS caps at 1h; 'awsx login %s' asks for a code and gets the full %s",
					a.p.Name, a.src.user.Name, a.p.Name, shortDuration(duration))
				duration = chainingCap
				in.DurationSeconds = aws.Int32(int32(duration.Seconds()))
			}
		} else {
			code, err := a.v.mfaCode(ctx, a.p, serial, process, a.o)
			var le *LoginRequiredError
			if errors.As(err, &le) && a.userSession != nil && serial == a.src.user.MFASerial && process == "" {
				// One login a day: the bastion's MFA session unlocks every
				// role assumed from it.
				le.Login = a.src.user.Name
			}
			if err != nil {
				return aws.Credentials{}, err
			}
			in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code)
		}
	}
	// Resolve the source first, so that its failure (no keys, a login
	// needed) is reported as itself rather than inside an STS error.
	src, err := source.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	client, err := a.v.stsClient(ctx, a.p, source)
	if err != nil {
		return aws.Credentials{}, err
	}
	a.v.debugf("AssumeRole %s for %s (%s)", a.p.RoleARN, a.p.Name, duration)
	out, err := client.AssumeRole(ctx, in)
	if isChainingError(err) && duration > chainingCap {
		// The source looked like long-term keys but AWS says it is a role
		// session: ask again within the cap instead of failing.
		a.notifyChaining()
		in.DurationSeconds = aws.Int32(int32(chainingCap.Seconds()))
		out, err = client.AssumeRole(ctx, in)
	}
	if err != nil {
		return aws.Credentials{}, friendly(a.p.Name, "assume role "+a.p.RoleARN, err)
	}
	account := ""
	if out.AssumedRoleUser != nil {
		account = accountFromARN(aws.ToString(out.AssumedRoleUser.Arn))
	}
	creds, err := fromSTS(out.Credentials, account, "AssumeRole")
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("profile %q: assume role %s: %w", a.p.Name, a.p.RoleARN, err)
	}
	if src.SessionToken != "" {
		// Assumed with temporary credentials, whatever the config says
		// they are: AWS treats that as role chaining.
		creds = markChained(creds)
	}
	return creds, nil
}

// errNoCredentials is an STS answer without credentials in it.
var errNoCredentials = errors.New("STS answered without credentials")

// fromSTS converts the credentials of an STS answer.
func fromSTS(c *types.Credentials, account, source string) (aws.Credentials, error) {
	if c == nil {
		return aws.Credentials{}, errNoCredentials
	}
	return aws.Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		CanExpire:       true,
		Expires:         aws.ToTime(c.Expiration),
		AccountID:       account,
		Source:          source,
	}, nil
}

// viaUserSession returns the IAM user's cached MFA session when the role
// should ride it: no code is at hand without asking, the user did not ask
// for the role's own session with awsx login, and either awsx may not ask
// (a hook, credential_process, a script) or the role wants no more than
// the hour AWS grants a role assumed with a session. On a terminal a
// longer role is assumed straight from the long-term keys with a code, so
// that its duration_seconds holds.
func (a *assumeRoleProvider) viaUserSession(serial, process string, duration time.Duration) (aws.CredentialsProvider, bool) {
	if a.userSession == nil || a.o.MFAToken != "" || process != "" || a.o.Login || serial != a.src.user.MFASerial {
		return nil, false
	}
	if duration > chainingCap && a.o.Interactive && a.v.Prompt != nil {
		return nil, false
	}
	creds, ok, err := a.userSession.lookup()
	if !ok || err != nil {
		return nil, false
	}
	return staticProvider(creds), true
}

func shortDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return d.String()
}

func (a *assumeRoleProvider) notifyChaining() {
	a.v.noticeOnce("chain:"+a.p.Name, "%s: role chaining caps this session at 1h; use 'awsx exec --server' for longer jobs", a.p.Name)
}

func isChainingError(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "ValidationError" && strings.Contains(api.ErrorMessage(), "role chaining")
}

func firstDuration(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}

// sessionName is the role session name CloudTrail shows: the profile's
// role_session_name, else one that names awsx and the time.
func sessionName(p *Profile, now time.Time) string {
	if p.RoleSessionName != "" {
		return p.RoleSessionName
	}
	return fmt.Sprintf("awsx-%d", now.Unix())
}
