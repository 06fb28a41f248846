package vault

import (
	"context"
	"fmt"
	"strings"
)

// mfaCode gets an MFA code for serial, for profile p: from --mfa-token,
// from mfaProcess (an mfa_process), or by asking on the terminal. Without a
// terminal it fails with the command that asks in one.
func (v *Vault) mfaCode(ctx context.Context, p *Profile, serial, mfaProcess string, o Options) (string, error) {
	code := strings.TrimSpace(o.MFAToken)
	if code == "" && mfaProcess != "" {
		out, err := v.runQuiet(ctx, mfaProcess)
		if err != nil {
			return "", fmt.Errorf("profile %q: mfa_process: %v", p.Name, err)
		}
		code = strings.TrimSpace(out)
	}
	if code == "" {
		if !o.Interactive || v.Prompt == nil {
			return "", &LoginRequiredError{Login: p.Name, Reason: "an MFA code is needed"}
		}
		var err error
		code, err = v.Prompt(fmt.Sprintf("MFA code for %s (%s): ", p.Name, serial))
		if err != nil {
			return "", err
		}
		code = strings.TrimSpace(code)
	}
	if !validMFACode(code) {
		// Not repeated: mfa_process may have printed a password manager's
		// whole entry.
		return "", fmt.Errorf("profile %q: the MFA code (%d characters) is not 6 digits", p.Name, len(code))
	}
	return code, nil
}

func validMFACode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
