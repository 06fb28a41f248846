# awsx hook for zsh, installed with: eval "$(awsx hook zsh)"
#
# It switches AWS profiles when the shell enters a directory with a trusted
# .awsx marker or under a profile's awsx_dirs: chpwd switches on the
# directory change itself, precmd renews near expiry. Every value it applies
# comes from awsx as shell-quoted assignments; an unchanged prompt starts no
# process. Non-interactive shells ignore it: scripts use `awsx exec`.

if [[ -o interactive ]]; then

# The top level runs under zsh's own options: the user's (ksh_arrays,
# sh_word_split, ...) would change what its array expansions mean.
() {
emulate -L zsh

typeset -g _awsx_bin='@AWSX_BIN@'
# The clock is EPOCHSECONDS from zsh/datetime, which ships with zsh; a
# build without it gets the time from a prompt escape, also in-process.
zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null || zmodload zsh/datetime 2>/dev/null
typeset -g _awsx_clockfmt='%D{%s}'
# AWSX_PROMPT is for the user's prompt only; no child needs it. Sourcing
# the hook again formats it again.
typeset -g +x AWSX_PROMPT
typeset -g _awsx_pkey= _awsx_puntil=0 _awsx_next=0
# A deadline that never comes: the year 2286.
typeset -g _awsx_never=9999999999

# _awsx_apply runs awsx and evaluates what it prints: only assignments, each
# quoted by awsx for zsh, after awsx's header line. Nothing is evaluated
# when awsx fails or prints anything else (help, or not awsx at all). The
# previous secrets that the exported state leaves out go to this one run
# only, in its environment, never on its command line.
_awsx_apply() {
  emulate -L zsh
  local out s
  out=$(_AWSX_PREV_SECRETS=${_awsx_prev_secrets-} "$_awsx_bin" "$@")
  s=$?
  (( s == 0 )) && [[ ${out%%$'\n'*} == '# awsx-hook 1' ]] && eval "$out"
  return $s
}

# _awsx_hook runs at every prompt and on directory changes. Where nothing
# it looks at changed since it last ran and no deadline passed, it ends at
# once, before emulate, which costs more than the test: it is the cost of
# every prompt. That test reads only scalars set here or by awsx, quoted,
# so the user's options cannot change what it means. Without EPOCHSECONDS
# it always goes on. It keeps $? for whatever runs after it.
_awsx_hook() {
  local s=$?
  if [[ $PWD == "${_awsx_pwd-}" ]] && (( ${EPOCHSECONDS:-$_awsx_never} < _awsx_next )) &&
    [[ "${AWSX_PROFILE-} ${AWSX_ACCOUNT_ID-} ${AWSX_EXPIRATION-} ${AWSX_HOOK_COLOR-} ${AWSX_HOOK_CHECK-}" == "$_awsx_pkey" ]]; then
    return $s
  fi
  _awsx_check
  return $s
}

# _awsx_check switches when the directory changed or the session nears its
# end, formats the prompt when its inputs changed or its text would read
# differently, and sets the deadline _awsx_next for the next check.
_awsx_check() {
  emulate -L zsh
  local now=${EPOCHSECONDS:-${(%)_awsx_clockfmt}}
  # In $(...) or ( ... ) only a cd elsewhere costs a process: that
  # subshell (cd ../prod && terraform apply) must switch too.
  if [[ $PWD != "${_awsx_pwd-}" ]] ||
    { (( ! ZSH_SUBSHELL )) && [[ ${AWSX_HOOK_CHECK-} == <-> ]] && (( now >= 10#$AWSX_HOOK_CHECK )) }; then
    typeset -g _awsx_pwd=$PWD
    _awsx_apply hook-env zsh --warned="${_awsx_warned-}"
  fi
  # What the prompt shows and when the hook must check next: a change to
  # any of them, by awsx or by hand, ends the fast path, whose test spells
  # out this same string (a variable read there would cost every prompt).
  local k="${AWSX_PROFILE-} ${AWSX_ACCOUNT_ID-} ${AWSX_EXPIRATION-} ${AWSX_HOOK_COLOR-} ${AWSX_HOOK_CHECK-}"
  if [[ -z ${AWSX_PROFILE-} ]]; then
    AWSX_PROMPT= _awsx_puntil=$_awsx_never
  elif [[ $k != "$_awsx_pkey" ]] || (( now >= _awsx_puntil )); then
    _awsx_prompt_update $now
  fi
  _awsx_pkey=$k
  _awsx_next=$_awsx_puntil
  if [[ ${AWSX_HOOK_CHECK-} == <-> ]] && (( 10#$AWSX_HOOK_CHECK < _awsx_next )); then
    _awsx_next=$(( 10#$AWSX_HOOK_CHECK ))
  fi
}

# _awsx_chpwd switches on a directory change, except in a subshell of a
# prompt (a theme's $(cd dir && git ...), in precmd or in PROMPT) or of a
# widget: it ends before any command of the user's runs, and switching it
# would start awsx at every prompt. Those do not run at the top level,
# which $zsh_eval_context tells; ( cd ../prod && terraform apply ) and
# functions the user runs do, and switch.
_awsx_chpwd() {
  emulate -L zsh
  if (( ZSH_SUBSHELL )) && [[ -n ${zsh_eval_context[1]-} && ${zsh_eval_context[1]} != toplevel ]]; then
    return
  fi
  _awsx_hook
}

# awsx wraps the binary: `awsx use` changes this shell, so it has to run
# here; trust and login change what the current directory resolves to.
# Help goes straight to the binary.
awsx() {
  emulate -L zsh
  local s
  if (( ${@[(Ie)-h]} || ${@[(Ie)--help]} )); then
    "$_awsx_bin" "$@"
    return
  fi
  case ${1-} in
  (use)
    shift
    _awsx_apply use --shell=zsh "$@"
    s=$?
    typeset -g _awsx_pkey=
    _awsx_hook
    return $s
    ;;
  (trust|login)
    "$_awsx_bin" "$@"
    s=$?
    typeset -g _awsx_pwd=
    _awsx_hook
    return $s
    ;;
  (*)
    "$_awsx_bin" "$@"
    ;;
  esac
}

# _awsx_format sets _awsx_o to what `awsx prompt` prints in the format $1
# (default: the profile, account and time left), coloured with the
# profile's awsx_color as a prompt escape, and _awsx_until to the second
# from which the text would read differently. $2 is the time, if known.
_awsx_format() {
  emulate -L zsh
  local f=${1-} o='' k left in='' c=''
  local now=${2:-${EPOCHSECONDS:-${(%)_awsx_clockfmt}}}
  typeset -g _awsx_o='' _awsx_until=$(( now + 3600 ))
  [[ -n ${AWSX_PROFILE-} ]] || return 0
  if [[ ${AWSX_EXPIRATION-} == <-> ]]; then
    left=$(( 10#$AWSX_EXPIRATION - now ))
    if (( left <= 0 )); then
      in=expired
    elif (( left >= 3600 )); then
      in="$(( left / 3600 ))h$(( left % 3600 / 60 ))m"
      _awsx_until=$(( now + left % 60 + 1 ))
    elif (( left >= 60 )); then
      in="$(( left / 60 ))m"
      _awsx_until=$(( now + left % 60 + 1 ))
    else
      in="${left}s"
      _awsx_until=$(( now + 1 ))
    fi
  fi
  if [[ -z $f ]]; then
    # The default, {profile} {account} {expires_in}, without the general
    # loop: its pattern matches are most of what formatting costs, and
    # the hook formats at every switch.
    o="$AWSX_PROFILE ${AWSX_ACCOUNT_ID-} $in"
  else
    while [[ $f == *'{'*'}'* ]]; do
      o+=${f%%\{*}
      f=${f#*\{}
      k=${f%%\}*}
      f=${f#*\}}
      case $k in
      (profile) o+=$AWSX_PROFILE ;;
      (account) o+=${AWSX_ACCOUNT_ID-} ;;
      (region) o+=${AWS_REGION:-${AWS_DEFAULT_REGION-}} ;;
      (expires_in) o+=$in ;;
      (*) o+="{$k}" ;;
      esac
    done
    o+=$f
  fi
  while [[ $o == *'  '* ]]; do
    o=${o//'  '/' '}
  done
  o=${o# }
  o=${o% }
  # The text goes through prompt expansion: a % in it (from a region set
  # by hand, say) must stay a %.
  o=${o//\%/%%}
  case ${AWSX_HOOK_COLOR-} in
  (black|red|green|yellow|blue|magenta|cyan|white) c=$AWSX_HOOK_COLOR ;;
  ([0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]) c="#$AWSX_HOOK_COLOR" ;;
  esac
  if [[ -n $c ]]; then
    _awsx_o="%F{$c}$o%f"
  else
    _awsx_o=$o
  fi
}

# _awsx_prompt_update sets AWSX_PROMPT to what awsx_prompt_info prints, for
# PROMPT='${AWSX_PROMPT}...' (prompt_subst): a parameter costs no process,
# where $(awsx_prompt_info) in PROMPT forks at every prompt. _awsx_hook
# calls it only when an input changed or the time left reads differently.
# $1 is the time, if known.
_awsx_prompt_update() {
  emulate -L zsh
  _awsx_format '' $1
  typeset -g AWSX_PROMPT=$_awsx_o _awsx_puntil=$_awsx_until
}

# awsx_prompt_info prints what `awsx prompt` prints (optionally in the
# format given as $1), coloured with the profile's awsx_color as a prompt
# escape, without starting a process.
awsx_prompt_info() {
  emulate -L zsh
  [[ -n ${AWSX_PROFILE-} ]] || return 0
  _awsx_format "${1-}"
  print -r -- "$_awsx_o"
}

# The hooks come first so that prompt themes after them already see the
# switched profile.
(( ${chpwd_functions[(Ie)_awsx_chpwd]} )) || chpwd_functions=(_awsx_chpwd "${chpwd_functions[@]}")
(( ${precmd_functions[(Ie)_awsx_hook]} )) || precmd_functions=(_awsx_hook "${precmd_functions[@]}")
}

fi
