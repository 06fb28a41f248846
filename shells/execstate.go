package shells

// ExecState is the hook bookkeeping for the environment childEnv that
// `awsx exec profile` gives its child, with exec's variables applied. The
// parent shell's bookkeeping describes the parent, not the child, so it is
// replaced: a shell started by exec is pinned to profile, as after
// `awsx use profile`, so that its hook neither warns about changes by hand
// nor switches to the directory's profile, until `awsx use` or
// `awsx use --off`. Leaving then unsets every managed variable: the
// child's previous environment is the parent's, which it cannot restore.
func ExecState(profile string, childEnv []string) []Assignment {
	env := EnvMap(childEnv)
	st := &state{Prev: map[string]*string{}, Profile: profile, Use: profile}
	for _, n := range managedVars {
		st.Prev[n] = nil
	}
	st.Sum = handSum(func(n string) *string {
		if v, ok := env[n]; ok {
			return &v
		}
		return nil
	})
	// No CheckVar yet: the child's first hook run (its first prompt)
	// sets it from AWSX_EXPIRATION.
	return []Assignment{Set(StateVar, st.encode()), Unset(CheckVar), Unset(ColorVar)}
}
