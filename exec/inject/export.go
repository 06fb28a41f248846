package inject

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/awsx-cli/awsx/shells"
	"github.com/awsx-cli/awsx/vault/creds"
)

// Formats lists what `awsx export --format` accepts.
var Formats = []string{"env", "fish", "powershell", "json"}

// Export renders credentials c for format: shell code for eval (env, fish,
// powershell) or the credential_process JSON.
func Export(format string, c creds.Credentials, region string) (string, error) {
	if format == "json" {
		return ProcessJSON(c)
	}
	var line func(shells.Assignment) string
	switch format {
	case "env", "":
		line = shells.POSIXLine
	case "fish":
		line = shells.FishLine
	case "powershell":
		line = func(a shells.Assignment) string {
			if a.Unset {
				return "Remove-Item Env:" + a.Name + " -ErrorAction SilentlyContinue"
			}
			return "$Env:" + a.Name + " = " + shells.QuotePowerShell(a.Value)
		}
	default:
		return "", fmt.Errorf("unknown export format %q; use one of %s", format, strings.Join(Formats, ", "))
	}
	var b strings.Builder
	for _, a := range Vars(c, region) {
		b.WriteString(line(a))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// processOutput is the credential_process format the AWS SDKs read.
type processOutput struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string `json:",omitempty"`
	Expiration      string `json:",omitempty"`
}

// ProcessJSON renders c as credential_process output. The SDKs call the
// process again once Expiration has passed.
func ProcessJSON(c creds.Credentials) (string, error) {
	out := processOutput{Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if c.CanExpire() {
		out.Expiration = c.Expires.UTC().Format(time.RFC3339)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", err
	}
	return string(b) + "\n", nil
}
