#!/usr/bin/env python3
"""Benchmarks awsx's hot paths against a local moto server.

Reports median wall time, spread (p10-p90) and peak RSS for each command,
after warming the cache; /bin/true is measured the same way as a floor.
Usage: bench/bench.py [--quick] [--runs N] [--awsx PATH]
  --quick  a few runs, only to check that the benchmark itself works (CI)
"""
import argparse, os, resource, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def measure(argv, env, runs):
    times, rss = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        times.append((time.perf_counter() - t0) * 1000)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"bench: {' '.join(argv)} failed: {p.stderr.read().decode()}")
        rss = max(rss, ru.ru_maxrss)
    times.sort()
    q = lambda f: times[min(len(times) - 1, int(f * len(times)))]
    return statistics.median(times), q(0.1), q(0.9), rss / 1024

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--awsx")
    a = ap.parse_args()
    runs = 5 if a.quick else a.runs
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = tempfile.mkdtemp(prefix="awsx-bench-")
    moto = None
    try:
        awsx = a.awsx or os.path.join(work, "awsx")
        if not a.awsx:
            subprocess.run(["go", "build", "-trimpath", "-ldflags=-s -w", "-o", awsx, "."], cwd=here, check=True,
                           env=dict(os.environ, CGO_ENABLED="0"))
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
                    "role_arn = arn:aws:iam::222222222222:role/AssumableAdmin\nduration_seconds = 28800\n")
        env = {"PATH": os.environ["PATH"], "HOME": home, "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
               "AWS_ENDPOINT_URL_STS": url, "AWS_ENDPOINT_URL_IAM": url, "AWSX_BACKEND": "file",
               "AWSX_FILE_PASSPHRASE": "bench"}
        setup = dict(env, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7BENCH01", AWS_SECRET_ACCESS_KEY="x" * 40)
        subprocess.run([awsx, "add", "bastion", "--env"], env=setup, check=True, stderr=subprocess.DEVNULL)
        subprocess.run([awsx, "exec", "prod", "--", "true"], env=env, check=True)
        cases = [
            ("/bin/true (floor)", ["/bin/true"]),
            ("awsx version (start-up)", [awsx, "version"]),
            ("awsx exec prod -- true (warm)", [awsx, "exec", "prod", "--", "true"]),
            ("awsx export prod --format json (warm)", [awsx, "export", "prod", "--format", "json"]),
        ]
        print(f"{'command':44} {'median':>8} {'p10':>7} {'p90':>7} {'peak RSS':>9}   ({runs} runs)")
        for name, argv in cases:
            med, lo, hi, rss = measure(argv, env, runs)
            print(f"{name:44} {med:7.2f}ms {lo:6.2f}ms {hi:6.2f}ms {rss:7.1f}MB")
    finally:
        if moto:
            moto.terminate(); moto.wait()
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
