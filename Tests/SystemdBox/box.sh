#!/bin/bash
# box.sh start | exec CMD... | stop — a real systemd as PID 1 for sevad's tests.
# Boots the machine's own /lib/systemd/systemd inside throw-away pid/mount/uts/ipc/net/cgroup
# namespaces over a copy-on-write overlay of the host root; $BOX_DIR (the scratch folder
# holding what the test installs) is visible inside, read-only, at /opt/box. Needs root.
set -euo pipefail
B=${BOX_DIR:?set BOX_DIR to a scratch folder}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then CGROOT=/sys/fs/cgroup
else CGROOT=/sys/fs/cgroup/unified; fi
CG=$CGROOT/sevad-box-$(basename "$B")
pid1() { cat "$B/pid1"; }
case "${1:-}" in
start)
  # The box outlives this script: it must not hold any descriptor of our caller (a test
  # runner that waits for a pipe to close would wait for ever).
  for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null || true
  mkdir -p "$B/ovl" "$B/root"
  rm -f "$B/console.log" "$B/pid1"; echo "$CG" > "$B/cgroup.path"
  setsid script -qfec "unshare --pid --fork --mount --uts --ipc --net --propagation private $HERE/init.sh" \
      "$B/console.log" </dev/null >/dev/null 2>&1 &
  echo $! > "$B/launcher.pid"
  state=""
  deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do
    if [ -s "$B/pid1" ] && kill -0 "$(pid1)" 2>/dev/null; then
      state=$(timeout 10 nsenter -t "$(pid1)" -a systemctl is-system-running 2>/dev/null || true)
      case "$state" in running|degraded) break;; esac
    fi
    sleep 0.1
  done
  case "$state" in running|degraded) echo "box: systemd up (pid $(pid1), $state)";;
  *) echo "box: systemd did not come up"; tail -30 "$B/console.log" || true; exit 1;; esac
  ;;
exec) shift; exec nsenter -t "$(pid1)" -a "$@";;
stop)
  P=$(pid1 2>/dev/null || true)
  if [ -n "$P" ] && kill -0 "$P" 2>/dev/null; then
    timeout 10 nsenter -t "$P" -a systemctl --no-block poweroff 2>/dev/null || kill -s SIGRTMIN+4 "$P"
    for _ in $(seq 1 150); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$P" 2>/dev/null; then kill -9 "$P"; sleep 0.5; fi
  fi
  L=$(cat "$B/launcher.pid" 2>/dev/null || true)
  for _ in $(seq 1 20); do [ -n "$L" ] && kill -0 "$L" 2>/dev/null || break; sleep 0.1; done
  [ -n "$L" ] && kill "$L" 2>/dev/null || true
  [ -d "$CG" ] && find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null || true
  rm -f "$B/pid1" "$B/launcher.pid"
  echo "box: stopped"
  ;;
*) echo "usage: $0 start|exec CMD...|stop" >&2; exit 2;;
esac
