package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"

	"github.com/awsx-cli/awsx/vault/creds"
)

// IsKeyringVariable reports whether an environment variable carries a
// keyring secret.
func IsKeyringVariable(name string) bool { return creds.IsKeyringVariable(name) }

// childEnv is the environment for helper commands (credential_process,
// mfa_process): the process's own, without keyring secrets.
func childEnv() []string {
	env := os.Environ()
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !IsKeyringVariable(name) {
			out = append(out, kv)
		}
	}
	return out
}

func shellCommand(ctx context.Context, command string) *exec.Cmd {
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd.exe", "/C", command)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", command)
	}
	cmd.Env = childEnv()
	cmd.Stdin = os.Stdin
	return cmd
}

// runQuiet runs command through the shell, as the AWS CLI runs
// credential_process, and returns its standard output.
func (v *Vault) runQuiet(ctx context.Context, command string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := shellCommand(ctx, command)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg != "" {
			return "", fmt.Errorf("%v: %s", err, firstLine(msg))
		}
		return "", err
	}
	return out.String(), nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// processProvider runs a profile's credential_process with the SDK's own
// parser of its output, in an environment without keyring secrets.
type processProvider struct {
	p    *Profile
	prov *processcreds.Provider
}

func newProcessProvider(v *Vault, p *Profile) *processProvider {
	builder := processcreds.NewCommandBuilderFunc(func(ctx context.Context) (*exec.Cmd, error) {
		cmd := shellCommand(ctx, p.CredentialProcess)
		// Its stderr is the user's, as the SDKs pass it through: a
		// helper's prompt ("touch your key") or its reason for failing.
		cmd.Stderr = v.Stderr
		return cmd, nil
	})
	return &processProvider{p: p, prov: processcreds.NewProviderCommand(builder, func(o *processcreds.Options) {
		o.Timeout = 2 * time.Minute
	})}
}

func (pp *processProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := pp.prov.Retrieve(ctx)
	if err != nil {
		var pe *processcreds.ProviderError
		if errors.As(err, &pe) && pe.Err != nil {
			err = pe.Err
		}
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		switch {
		case strings.Contains(msg, "process output"):
			// The SDK quotes the whole output in its parse error, and that
			// output may well hold a secret key: say what is wrong without it.
			msg = "its output is not the credential_process JSON (Version 1, AccessKeyId, SecretAccessKey, SessionToken, Expiration in RFC 3339)"
		case strings.HasPrefix(msg, "error in credential_process: "):
			msg = "failed: " + strings.TrimPrefix(msg, "error in credential_process: ")
		}
		return aws.Credentials{}, fmt.Errorf("profile %q: credential_process: %s", pp.p.Name, msg)
	}
	return c, nil
}
