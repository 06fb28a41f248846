package vault

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/awsx-cli/awsx/vault/vaulttest"
)

func TestProfileNameFor(t *testing.T) {
	for _, tc := range []struct{ name, id, want string }{
		{"prod", "1", "prod"},
		{"Prod (EU)", "1", "prod-eu"},
		{"  Data--Lake_2 ", "1", "data-lake-2"},
		{"Zürich Prod", "1", "zurich-prod"},
		{"Ünïcode—Äccount", "1", "unicode-account"},
		{"$(rm -rf ~)", "1", "rm-rf"},
		{"日本", "123456789012", "account-123456789012"},
		{"", "123456789012", "account-123456789012"},
	} {
		if got := ProfileNameFor(tc.name, tc.id); got != tc.want {
			t.Errorf("ProfileNameFor(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func loadTestConfig(t *testing.T, text string) *Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Names do not depend on the order AWS lists the accounts in: a name two
// accounts share, or one the file already uses, gets the account id.
func TestPlanNamesArePredictable(t *testing.T) {
	c := loadTestConfig(t, "[profile bastion]\nregion = eu-west-1\n\n[profile old-dev]\nsource_profile = bastion\nrole_arn = arn:aws:iam::333333333333:role/Admin\n")
	o := GenerateOptions{StartURL: testStartURL, Region: "eu-west-1", Role: "Admin", SourceProfile: "bastion"}
	accounts := []ssoAccount{
		{ID: "111111111111", Name: "Bastion"},
		{ID: "222222222222", Name: "Prod"},
		{ID: "222222222223", Name: "prod"},
		{ID: "333333333333", Name: "dev"},
		{ID: "444444444444", Name: "Sandbox"},
		{ID: "12345", Name: "broken"},
	}
	want := map[string]string{
		"bastion-111111111111": "111111111111",
		"prod-222222222222":    "222222222222",
		"prod-222222222223":    "222222222223",
		"sandbox":              "444444444444",
	}
	for i := 0; i < 2; i++ {
		res := c.plan(o, append([]ssoAccount(nil), accounts...), "corp")
		got := map[string]string{}
		for _, g := range res.Added {
			got[g.Name] = g.AccountID
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("run %d: added %v, want %v", i, got, want)
		}
		if res.Existing != 1 || len(res.Skipped) != 1 {
			t.Fatalf("existing %d, skipped %q", res.Existing, res.Skipped)
		}
		// Reversed order, same names.
		for l, r := 0, len(accounts)-1; l < r; l, r = l+1, r-1 {
			accounts[l], accounts[r] = accounts[r], accounts[l]
		}
	}
}

func TestPlanSSORoles(t *testing.T) {
	c := loadTestConfig(t, "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start/\nsso_region = eu-west-1\n\n[profile mine]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = ReadOnly\n")
	session, exists, _ := c.sessionFor(testStartURL)
	if session != "corp" || !exists {
		t.Fatalf("sessionFor = %q, %v", session, exists)
	}
	accounts := []ssoAccount{
		{ID: "111111111111", Name: "bastion", Roles: []string{"Admin", "ReadOnly"}},
		{ID: "222222222222", Name: "prod", Roles: []string{"Admin"}},
		{ID: "333333333333", Name: "dev", Roles: []string{"Bad\nRole"}},
	}
	res := c.plan(GenerateOptions{StartURL: testStartURL, Region: "eu-west-1", Role: "ReadOnly"}, accounts, session)
	if len(res.Added) != 0 || res.Existing != 1 || len(res.Skipped) != 2 {
		t.Fatalf("ReadOnly: %+v", res)
	}
	res = c.plan(GenerateOptions{StartURL: testStartURL, Region: "eu-west-1"}, accounts, session)
	if len(res.Added) != 2 || res.Added[0].Role != "Admin" || res.Added[1].Role != "Admin" {
		t.Fatalf("first role: %+v", res)
	}
}

func TestSessionForNamesANewSession(t *testing.T) {
	c := loadTestConfig(t, "[sso-session corp]\nsso_start_url = https://other.example.com/start\n")
	name, exists, scopes := c.sessionFor("https://corp.awsapps.com/start")
	if name != "corp-2" || exists || !reflect.DeepEqual(scopes, DefaultSSOScopes) {
		t.Fatalf("sessionFor = %q %v %v", name, exists, scopes)
	}
}

// The file's own bytes stay as they are: an ini round trip would move
// the inline comment and flatten the nested keys of [services].
func TestAppendSectionsKeepsEveryByte(t *testing.T) {
	orig := "# team config\n[default]\nregion=eu-west-1   ; inline\n\n[services local]\ns3 =\n  endpoint_url = http://localhost:4566\n[preview]\nsdb = true"
	c := loadTestConfig(t, orig)
	if err := c.appendSections("\n[profile new]\nregion = us-east-1\n"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(c.Path)
	if err != nil {
		t.Fatal(err)
	}
	if want := orig + "\n\n[profile new]\nregion = us-east-1\n"; string(data) != want {
		t.Fatalf("config is\n%s\nwant\n%s", data, want)
	}
	if fi, _ := os.Stat(c.Path); fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %o, want the file's own 644", fi.Mode().Perm())
	}
	if !c.Has("new") {
		t.Fatal("the config was not reloaded")
	}
}

func TestGenerateConfig(t *testing.T) {
	s := newFake(t, vaulttest.SSOOptions{Accounts: vaulttest.SSODefaultAccounts(45), PageSize: 10})
	v, _ := ssoTestVault(t, s, "# mine\n[profile bastion]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 111111111111\nsso_role_name = AdministratorAccess\n")
	ctx := context.Background()
	o := GenerateOptions{StartURL: testStartURL, Region: "eu-west-1", Role: "Admin", SourceProfile: "bastion", Duration: 8 * time.Hour}
	before, _ := os.ReadFile(v.Config.Path)

	// A failure past the retries, on the second page: nothing written.
	for i := range listAttempts {
		s.FailListPage(2 + i)
	}
	if _, err := v.GenerateConfig(ctx, o); err == nil || !strings.Contains(err.Error(), "is unchanged") {
		t.Fatalf("err = %v", err)
	}
	if after, _ := os.ReadFile(v.Config.Path); string(after) != string(before) {
		t.Fatal("a failed listing changed the config")
	}

	// Throttled, then all 45 accounts over five pages.
	s.Throttle(3)
	res, err := v.GenerateConfig(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 45 || res.Session != "" {
		t.Fatalf("added %d, session %q", len(res.Added), res.Session)
	}
	for _, name := range []string{"bastion-111111111111", "prod", "dev", "account-045"} {
		p, err := v.Config.Profile(name)
		if err != nil {
			t.Fatal(err)
		}
		if p.Source == nil || p.Source.Name != "bastion" || p.Duration != 8*time.Hour {
			t.Fatalf("%s: %+v", name, p)
		}
	}
	after, _ := os.ReadFile(v.Config.Path)
	if !strings.HasPrefix(string(after), string(before)) {
		t.Fatal("the original bytes changed")
	}

	// Again: nothing added, nothing written.
	res, err = v.GenerateConfig(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(v.Config.Path)
	if len(res.Added) != 0 || res.Existing != 45 || string(again) != string(after) {
		t.Fatalf("second run added %d (existing %d)", len(res.Added), res.Existing)
	}
	if n := s.Count("StartDeviceAuthorization"); n != 1 {
		t.Fatalf("StartDeviceAuthorization = %d, want 1", n)
	}
}

func TestGenerateOptionsCheck(t *testing.T) {
	ok := GenerateOptions{StartURL: testStartURL, Region: "eu-west-1"}
	for _, tc := range []struct {
		edit func(*GenerateOptions)
		want string
	}{
		{func(o *GenerateOptions) { o.StartURL = "" }, "--sso-start-url is needed"},
		{func(o *GenerateOptions) { o.StartURL = "corp.awsapps.com" }, "is not a URL"},
		{func(o *GenerateOptions) { o.Region = "eu west" }, "is not a region"},
		{func(o *GenerateOptions) { o.Role = "a\nb" }, "is not a role name"},
		{func(o *GenerateOptions) { o.SourceProfile = "bastion" }, "needs --role"},
		{func(o *GenerateOptions) { o.Duration = time.Hour }, "--duration sets duration_seconds of roles assumed through --source-profile"},
		{func(o *GenerateOptions) { o.SourceProfile, o.Role, o.Duration = "b", "r", 13*time.Hour }, "outside the 15m to 12h"},
	} {
		o := ok
		tc.edit(&o)
		if err := o.check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", o, err, tc.want)
		}
	}
	if err := ok.check(); err != nil {
		t.Fatal(err)
	}
}

// A token that the portal refuses while it still looks valid (signed out
// elsewhere) is renewed once with the refresh token, and the listing runs
// again: no browser, no error.
func TestGenerateConfigRenewsARefusedToken(t *testing.T) {
	s := newFake(t, vaulttest.SSOOptions{Accounts: vaulttest.SSODefaultAccounts(5)})
	v, _ := ssoTestVault(t, s, "[profile bastion]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 111111111111\nsso_role_name = AdministratorAccess\n")
	ctx := context.Background()
	if _, err := v.Credentials(ctx, "bastion", Options{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []GenerateOptions{
		{StartURL: testStartURL, Region: "eu-west-1", Role: "Admin", SourceProfile: "bastion", DryRun: true},
		{StartURL: testStartURL, Region: "eu-west-1", Role: "ReadOnly", DryRun: true}, // ListAccountRoles too
	} {
		s.ExpireAccessTokens()
		refreshes := s.Count("Refresh")
		v.OpenURL = func(string) error { t.Error("a browser opened to renew a refused token"); return nil }
		res, err := v.GenerateConfig(ctx, o)
		if err != nil {
			t.Fatalf("role %s: %v", o.Role, err)
		}
		if len(res.Added) != 5 {
			t.Errorf("role %s: %d profiles, want 5", o.Role, len(res.Added))
		}
		if got := s.Count("Refresh") - refreshes; got != 1 {
			t.Errorf("role %s: %d refreshes, want 1", o.Role, got)
		}
	}
	if n := s.Count("StartDeviceAuthorization"); n != 1 {
		t.Errorf("StartDeviceAuthorization = %d, want the first login only", n)
	}
}

// A config file that is a symlink (into a dotfiles repository, say) stays
// one: the target gets the new text and keeps its mode. awsx add and
// config generate write through the same path.
func TestAppendSectionsThroughSymlink(t *testing.T) {
	for _, tc := range []struct{ name, target string }{
		{"relative", "../dotfiles/aws/config"},
		{"absolute", ""}, // filled in below
		{"dangling", "../dotfiles/aws/new-config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			dots := filepath.Join(home, "dotfiles", "aws")
			if err := os.MkdirAll(dots, 0o755); err != nil {
				t.Fatal(err)
			}
			real := filepath.Join(dots, "config")
			orig := "[profile bastion]\nregion = eu-west-1\n"
			if err := os.WriteFile(real, []byte(orig), 0o640); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(real, 0o640); err != nil { // whatever the umask
				t.Fatal(err)
			}
			target := tc.target
			if target == "" {
				target = real
			}
			want := orig + "\n# Added by awsx add.\n[profile new]\n"
			if tc.name == "dangling" {
				real, want = filepath.Join(dots, "new-config"), "# Added by awsx add.\n[profile new]\n"
			}
			link := filepath.Join(home, ".aws", "config")
			if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfig(link)
			if err != nil {
				t.Fatal(err)
			}
			if added, err := c.EnsureProfile("new"); err != nil || !added {
				t.Fatalf("EnsureProfile = %v, %v", added, err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("%s is no longer a symlink (%v)", link, err)
			}
			if got, _ := os.Readlink(link); got != target {
				t.Errorf("the link points to %s, want %s", got, target)
			}
			data, err := os.ReadFile(real)
			if err != nil || string(data) != want {
				t.Fatalf("target holds %q (%v), want %q", data, err, want)
			}
			if fi, _ := os.Stat(real); tc.name != "dangling" && fi.Mode().Perm() != 0o640 {
				t.Errorf("target mode %o, want its own 640", fi.Mode().Perm())
			}
			if !c.Has("new") {
				t.Error("the config was not reloaded")
			}
			if entries, _ := os.ReadDir(filepath.Dir(link)); len(entries) != 1 {
				t.Errorf("%s holds %d entries, want the link alone", filepath.Dir(link), len(entries))
			}
		})
	}
}

func TestRealPathLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.Symlink(b, a); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(a, b); err != nil {
		t.Fatal(err)
	}
	if _, err := realPath(a); err == nil {
		t.Fatal("a symlink loop resolved")
	}
}
