#!/usr/bin/env python3
"""Benchmarks awsx's hot paths against a local moto server.

Reports median wall time, spread (p10-p90) and peak RSS for each command,
after warming the cache; /bin/true and bench/floor (a Go program that links
what awsx must and exits at once) are measured the same way, as floors.
Each awsx row also runs the Go floor in the same rounds and reports its
own cost over it ("over floor"), which the host's drift between rows does
not move.
Usage: bench/bench.py [--quick] [--runs N] [--awsx PATH] [--against PATH]
  --quick    a few runs, only to check that the benchmark itself works (CI)
  --against  another awsx build to compare with: each awsx case runs both
             builds in turn, round by round, and reports both medians, since
             medians of separate runs move by more than most changes
"""
import argparse, os, resource, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def peak_rss_mb(argv, env):
    """Peak RSS of argv itself: GNU time forks it from a small process, so
    the figure is not inflated by Python's own memory."""
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    return int(r.stderr.strip().splitlines()[-1]) / 1024


def check_output(argv, env, want, cwd=None):
    """Runs argv once and fails the benchmark unless its stdout holds want:
    a figure for a command that did not do its job would be a lie."""
    r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0 or want not in r.stdout:
        sys.exit(f"bench: {' '.join(argv)} did not do its job (status {r.returncode}): {r.stderr.strip()[:300]}")


def measure(argv, env, runs, cwd=None, others=()):
    """posix_spawn has no working-directory action, so a case that needs
    one runs with this process in that directory."""
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        return measure_here(argv, env, runs, others)
    finally:
        os.chdir(old)


def spawn_ms(argv, env):
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(argv)} failed")
    return (time.perf_counter() - t0) * 1000


def measure_here(argv, env, runs, others=()):
    """others run next to argv in every round, the order turning by one
    each round so that none always finds the caches another just warmed;
    their medians come back last, in order."""
    cmds = [argv, *others]
    times = [[] for _ in cmds]
    for i in range(runs):
        for j in range(len(cmds)):
            c = (i + j) % len(cmds)
            times[c].append(spawn_ms(cmds[c], env))
    mine = sorted(times[0])
    q = lambda f: mine[min(len(mine) - 1, int(f * len(mine)))]
    return statistics.median(mine), q(0.1), q(0.9), peak_rss_mb(argv, env), [statistics.median(t) for t in times[1:]]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--awsx")
    ap.add_argument("--against")
    a = ap.parse_args()
    if a.against and not os.access(a.against, os.X_OK):
        sys.exit(f"bench: --against {a.against} is not an executable awsx build")
    runs = 5 if a.quick else a.runs
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = tempfile.mkdtemp(prefix="awsx-bench-")
    moto = None
    try:
        awsx = a.awsx or os.path.join(work, "awsx")
        build = lambda out, pkg: subprocess.run(["go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg],
                                                cwd=here, check=True, env=dict(os.environ, CGO_ENABLED="0"))
        if not a.awsx:
            build(awsx, ".")
        # The Go floor needs Go; a prebuilt awsx can be measured without.
        floor = None
        if shutil.which("go"):
            floor = os.path.join(work, "floor")
            build(floor, "./bench/floor")
        port = free_port()
        moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url); break
            except Exception:
                time.sleep(0.1)
        home = os.path.join(work, "home"); os.makedirs(os.path.join(home, ".aws"))
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write("[profile bastion]\nregion = eu-west-1\n\n[profile prod]\nsource_profile = bastion\n"
                    "role_arn = arn:aws:iam::222222222222:role/AssumableAdmin\nduration_seconds = 28800\n\n"
                    f"[profile prod-cp]\ncredential_process = {awsx} export --format json prod\nregion = eu-west-1\n\n"
                    "[profile static]\naws_access_key_id = AKIAIOSFODNN7STATIC1\n"
                    "aws_secret_access_key = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nregion = eu-west-1\n")
        env = {"PATH": os.environ["PATH"], "HOME": home, "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
               "AWS_ENDPOINT_URL_STS": url, "AWS_ENDPOINT_URL_IAM": url, "AWSX_BACKEND": "file",
               "AWSX_FILE_PASSPHRASE": "bench"}
        setup = dict(env, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7BENCH01", AWS_SECRET_ACCESS_KEY="x" * 40)
        subprocess.run([awsx, "add", "bastion", "--env"], env=setup, check=True, stderr=subprocess.DEVNULL)
        subprocess.run([awsx, "exec", "prod", "--", "true"], env=env, check=True)
        true = shutil.which("true")
        aws = shutil.which("aws")
        if not aws:
            sys.exit("bench: the AWS CLI (aws) is not installed; the credential_process rows need it")
        # A marker tree for the hook's switch: what `cd` into it costs is one
        # `awsx hook-env` run that prints the new credentials.
        tree = os.path.join(work, "tree")
        os.makedirs(tree)
        with open(os.path.join(tree, ".awsx"), "w") as f:
            f.write("profile = prod\n")
        os.chmod(os.path.join(tree, ".awsx"), 0o644)
        subprocess.run([awsx, "trust", tree], env=env, check=True, stdout=subprocess.DEVNULL)
        hook_env = dict(env, SHELL="/bin/bash")
        check_output([awsx, "hook-env", "bash"], hook_env, "AWS_ACCESS_KEY_ID=", cwd=tree)
        cases = [
            ("/bin/true (floor)", [true], runs),
            *([("Go + the libraries awsx links, exits (floor)", [floor], runs)] if floor else []),
            ("awsx version (start-up)", [awsx, "version"], runs),
            ("awsx exec prod -- true (warm)", [awsx, "exec", "prod", "--", true], runs),
            ("awsx export prod --format json (warm)", [awsx, "export", "prod", "--format", "json"], runs),
            ("awsx prompt (inside exec: from the env)", [awsx, "prompt"], runs),
            ("awsx hook-env bash (the switch on cd, warm)", [awsx, "hook-env", "bash"], runs),
        ]
        # The AWS CLI's own start-up dominates; the difference between the
        # two rows is what credential_process adds to every call.
        cli = lambda p: [aws, "sts", "get-caller-identity", "--profile", p]
        n = max(3, runs // 10)
        cases += [("aws sts get-caller-identity, static keys", cli("static"), n),
                  ("aws sts get-caller-identity, credential_process", cli("prod-cp"), n)]
        check_output(cli("prod-cp"), env, "222222222222")
        prompt_env = dict(env, AWSX_PROFILE="prod", AWSX_ACCOUNT_ID="222222222222",
                          AWSX_EXPIRATION=str(int(time.time()) + 3600), AWS_REGION="eu-west-1")
        # Each awsx row also times the Go floor in the same rounds: the
        # host's speed drifts between rows, and "over floor" is awsx's own
        # cost, which another machine adds to its own floor.
        print(f"{'command':48} {'median':>8} {'p10':>8} {'p90':>8} {'peak RSS':>9}  runs"
              + (f"  {'over floor':>10}" if floor else "") + (f"  {'against':>8}" if a.against else ""))
        check_output([awsx, "prompt"], prompt_env, "prod 222222222222")
        for name, argv, n in cases:
            e, cwd = env, None
            if argv[1:2] == ["prompt"]:
                e = prompt_env
            elif argv[1:2] == ["hook-env"]:
                e, cwd = hook_env, tree
            others = []
            if argv[0] == awsx and a.against:
                others.append([os.path.abspath(a.against)] + argv[1:])
            if argv[0] == awsx and floor:
                others.append([floor])
            med, lo, hi, rss, meds = measure(argv, e, n, cwd, others)
            over = f"{'+' if med >= meds[-1] else ''}{med - meds[-1]:.2f}ms" if argv[0] == awsx and floor else ""
            print(f"{name:48} {med:6.2f}ms {lo:6.2f}ms {hi:6.2f}ms {rss:7.1f}MB  {n:<4}"
                  + (f"  {over:>10}" if floor else "")
                  + (f"  {meds[0]:6.2f}ms" if argv[0] == awsx and a.against else ""))
        # The shell hook: per-prompt cost in an unchanged directory, the
        # switch on cd, and `awsx prompt` (bench/hook.sh, same warm keyring).
        hook = subprocess.run(["bash", os.path.join(here, "bench", "hook.sh"), awsx],
                              env=dict(env, AWSX_BENCH_N="50" if a.quick else "2000", AWSX_BENCH_PROFILE="prod"),
                              capture_output=True, text=True)
        if hook.returncode != 0:
            sys.exit(f"bench: bench/hook.sh failed: {hook.stderr.strip()}")
        print(hook.stdout.rstrip())
    finally:
        if moto:
            moto.terminate(); moto.wait()
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
