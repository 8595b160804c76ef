#!/bin/bash
# check-sevad.sh — sevad under the box's real systemd: the installed units, socket activation,
# READY and STATUS, a booking's story in the journal, reload, the watchdog restarting a stalled
# engine with the job kept, and a clean stop. Exits non-zero if any check fails.
set -uo pipefail
B=${BOX_DIR:?}
HERE=$(cd "$(dirname "$0")" && pwd)
# Every command in the box is bounded: a systemd that stops answering fails a check, never hangs it.
X() { timeout 60 "$HERE/box.sh" exec "$@"; }
prop() { X systemctl show -p "$2" --value "$1"; }
fail=0
ok()  { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
expect() { local what=$1 got=$2 want=$3; [[ "$got" == $want ]] && ok "$what" || bad "$what: got '$got', want '$want'"; }
# ask ADDRESS LINE... — sends the lines, prints the replies (one per line sent), skipping events.
ask() { X python3 "/opt/box/ask.py" "$@"; }
wait_for() { for _ in $(seq 1 "$2"); do eval "$1" && return 0; sleep 0.2; done; return 1; }

X install -m 0755 /opt/box/sevad /usr/local/bin/sevad
X cp /opt/box/sevad.service /opt/box/sevad.socket /opt/box/sevad-admin.socket /opt/box/sevad-metrics.socket /opt/box/sevad-http.socket /etc/systemd/system/
X mkdir -p /etc/systemd/system/sevad.service.d /etc/sevad
X cp /opt/box/watchdog.conf /etc/systemd/system/sevad.service.d/box.conf
X cp /opt/box/sevad.toml /etc/sevad/sevad.toml
X systemd-sysusers /opt/box/sevad.sysusers
X systemctl daemon-reload
X systemctl start sevad.socket sevad-admin.socket sevad-metrics.socket sevad-http.socket
expect "the sockets listening" "$(X systemctl is-active sevad.socket sevad-admin.socket sevad-metrics.socket sevad-http.socket | tr '\n' ' ')" "active active active active "
expect "sevad.service waits for its first connection" "$(prop sevad.service ActiveState)" inactive

expect "the first connection starts sevad (socket activation)" "$(ask 127.0.0.1:7878 PING)" OK
expect "active once READY=1" "$(prop sevad.service ActiveState)/$(prop sevad.service SubState)" active/running
expect "STATUS= from the engine" "$(prop sevad.service StatusText)" "0 workers online, 0 jobs open*"
adopted=$(X journalctl -u sevad -o cat --no-pager | grep 'adopted socket')
expect "journal: the TCP socket adopted by name" "$(echo "$adopted" | grep -c 'adopted socket tcp (fd [0-9]*): tcp 127.0.0.1:7878')" 1
expect "journal: the admin socket adopted by name" "$(echo "$adopted" | grep -c 'adopted socket unix (fd [0-9]*): unix /run/sevad/sevad.sock')" 1
expect "metrics from its own socket" "$(X python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9478/metrics").read().decode())' | grep -c '^sevad_workers')" 5
expect "the HTTP face from its own socket: a tracker without a token is told 401" "$(X python3 -c 'import http.client as h; c = h.HTTPConnection("127.0.0.1", 5055); c.request("GET", "/v1/track?id=w1&lat=27.5&lon=78.0"); print(c.getresponse().status)')" 401
expect "journal: the http socket adopted by name" "$(echo "$adopted" | grep -c 'adopted socket http (fd [0-9]*): the HTTP face')" 1
pid=$(prop sevad.service MainPID)

replies=$(ask /run/sevad/sevad.sock "WORKER ADD w1 skills=plumber verified=yes" "LOC w1 27.5960 78.0510" "AVAIL w1 on" \
  "JOB NEW skill=plumber lat=27.5960 lon=78.0500 address=\"12 Sadar Bazar\"")
expect "a booking over the admin socket" "$(echo "$replies" | tail -1)" 'OK {"id":1,"state":"searching"*'
X journalctl --sync 2>/dev/null || true
story=$(X journalctl -u sevad JOB_ID=1 -o cat --no-pager)
expect "journalctl JOB_ID=1: booked" "$(echo "$story" | grep -c '^job 1 searching')" "[1-9]*"
expect "journalctl JOB_ID=1: offered, with the match decision" "$(echo "$story" | grep -c '^job 1 offered (w1): {"policy":"fair-share"')" "[1-9]*"
expect "journal fields: WORKER_ID and STATE" "$(X journalctl -u sevad JOB_ID=1 WORKER_ID=w1 STATE=offered -o cat --no-pager | wc -l)" "[1-9]*"

X cp /opt/box/sevad-reloaded.toml /etc/sevad/sevad.toml
X systemctl reload sevad.service && ok "systemctl reload returned" || bad "systemctl reload failed"
expect "reload applied the dispatch key" "$(X journalctl -u sevad -o cat --no-pager | grep -c 'reloaded: changed dispatch.offer_timeout_s')" 1
expect "same process after reload" "$(prop sevad.service MainPID)" "$pid"

ask /run/sevad/sevad.sock "DEBUG STALL 60" --no-wait >/dev/null
wait_for '[ "$(prop sevad.service NRestarts)" -ge 1 ]' 100 && ok "the watchdog killed the stalled engine" || bad "no restart after the stall"
wait_for '[ "$(prop sevad.service SubState)" = running ]' 100
newpid=$(prop sevad.service MainPID)
[ "$newpid" != "$pid" ] && ok "restarted with a new MainPID" || bad "MainPID unchanged ($pid)"
expect "journal: the watchdog timeout" "$(X journalctl -u sevad -o cat --no-pager | grep -c 'Watchdog timeout')" "[1-9]*"
expect "the job survived the restart" "$(ask /run/sevad/sevad.sock 'JOB GET 1' | cut -c1-24)" 'OK {"id":1,"ref":null,"s'

X systemctl stop sevad.service sevad.socket sevad-admin.socket sevad-metrics.socket sevad-http.socket
expect "stopped cleanly" "$(prop sevad.service ActiveState)/$(prop sevad.service Result)" inactive/success
expect "journal: stopped" "$(X journalctl -u sevad -o cat --no-pager | grep -cE '^stopped( |$)')" "[1-9]*"
[ $fail = 0 ] && echo "ALL CHECKS PASSED" || echo "SOME CHECKS FAILED"
exit $fail
