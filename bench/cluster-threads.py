#!/usr/bin/env python3
"""Where a cluster fan-out's node CPU goes, per thread group, per stored message (docs/BENCHMARKS.md,
"Cluster mode"). Run the bench with each node's metrics listener on, and this beside it:

    java -cp target/chatroom.jar chatroom.bench.Bench fanout --nodes 3 --rooms 1 --members 100 \
        --senders 10 --rate 500/s --warmup 45s --duration 30s "--node-flags=--metrics-port 0" &
    bench/cluster-threads.py $! /tmp/threads.jsonl            # samples every 2 s until the bench exits
    bench/cluster-threads.py --report /tmp/threads.jsonl 3 8  # nodes; skip the first 8 sending samples

It samples the bench's child JVMs (the nodes): per thread utime+stime and context switches from
/proc/PID/task/*, and the node's /metrics counters (published, received, gap reads, tail checks). The
report's window runs from the given number of samples after publishing started to the last sample
before it stopped; "per message" divides by the messages published in it (each stored message is
published once, by the node that committed it). CPU in JIT compiler threads is the JVMs' warm-up,
not the load: a longer warm-up shrinks it.
"""
import collections
import json
import os
import re
import subprocess
import sys
import time
import urllib.request


def children(parent):
    found = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            if int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1]) == parent:
                found.append(int(pid))
        except (OSError, IndexError, ValueError):
            pass
    return found


def metrics(port):
    body = urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics', timeout=2).read().decode()
    return {line.split()[0]: float(line.split()[1]) for line in body.splitlines()
            if line.startswith('chatroom_') and re.search('cluster_(published|received)|gap|tail|delivered', line)}


def find_metrics_ports(pids, ports):
    listening = subprocess.run(['ss', '-ltnpH'], capture_output=True, text=True).stdout.splitlines()
    for pid in pids:
        for line in (l for l in listening if pid not in ports and f'pid={pid},' in l):
            port = line.split()[3].rsplit(':', 1)[1]
            try:
                if metrics(port):
                    ports[pid] = port
            except OSError:
                pass  # the node's web port, or not up yet


def thread(pid, tid):
    base = f'/proc/{pid}/task/{tid}'
    stat = open(f'{base}/stat').read().rsplit(')', 1)[1].split()
    status = open(f'{base}/status').read()
    switches = [int(re.search(rf'^{kind}_ctxt_switches:\s+(\d+)', status, re.M).group(1))
                for kind in ('voluntary', 'nonvoluntary')]
    return [open(f'{base}/comm').read().strip(), int(stat[11]) + int(stat[12])] + switches


def sample(bench, out_path):
    ports = {}
    with open(out_path, 'w') as out:
        while os.path.exists(f'/proc/{bench}'):
            pids = children(bench)
            find_metrics_ports(pids, ports)
            snap = {'t': time.time(), 'threads': {}, 'metrics': {}}
            for pid in pids:
                try:
                    for tid in os.listdir(f'/proc/{pid}/task'):
                        try:
                            snap['threads'][f'{pid}/{tid}'] = thread(pid, tid)
                        except (OSError, AttributeError):
                            pass  # the thread ended meanwhile
                    if pid in ports:
                        snap['metrics'][str(pid)] = metrics(ports[pid])
                except OSError:
                    pass  # the node ended meanwhile
            out.write(json.dumps(snap) + '\n')
            out.flush()
            time.sleep(2)


def report(path, nodes, skip):
    ticks = os.sysconf('SC_CLK_TCK')
    snaps = [json.loads(line) for line in open(path)]

    def published(s):
        return sum(m.get('chatroom_cluster_published_total', 0) for m in s['metrics'].values())

    full = [i for i, s in enumerate(snaps) if len(s['metrics']) == nodes and published(s) > 0]
    rising = [i for i in full[1:] if published(snaps[i]) > published(snaps[i - 1])]
    a, b = snaps[rising[0] + skip], snaps[rising[-1] - 1]
    messages = published(b) - published(a)
    print(f'window {b["t"] - a["t"]:.1f} s, {messages:.0f} messages published')
    groups = collections.defaultdict(lambda: [0, 0])
    for key, (comm, cpu, vol, invol) in b['threads'].items():
        _, cpu0, vol0, invol0 = a['threads'].get(key, [comm, 0, 0, 0])
        group = (key.split('/')[0], re.sub(r'\d+', 'N', comm))
        groups[group][0] += cpu - cpu0
        groups[group][1] += vol - vol0 + invol - invol0
    totals = collections.defaultdict(lambda: [0, 0])
    for (pid, group), (cpu, switches) in sorted(groups.items(), key=lambda g: (g[0][0], -g[1][0])):
        totals[pid][0] += cpu
        totals[pid][1] += switches
        if cpu > 0:
            print(f'  node {pid} {group:18s} {cpu * 1e6 / ticks / messages:8.1f} µs CPU/message  '
                  f'{switches / messages:5.2f} context switches/message')
    for pid, (cpu, switches) in totals.items():
        print(f'node {pid} all threads {cpu * 1e6 / ticks / messages:.1f} µs CPU/message, {switches / messages:.2f} switches/message')
    for pid, now in b['metrics'].items():
        before = a['metrics'].get(pid, {})
        print(f'node {pid}', {k.replace('chatroom_', ''): round(v - before.get(k, 0)) for k, v in now.items() if v != before.get(k, 0)})


if __name__ == '__main__':
    if sys.argv[1] == '--report':
        report(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 5)
    else:
        sample(int(sys.argv[1]), sys.argv[2])
