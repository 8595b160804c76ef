#!/bin/bash
# init.sh — becomes PID 1 of the box and execs systemd (run by box.sh inside new namespaces).
# Stage 1 moves into a cgroup2 subtree of its own and unshares a cgroup namespace there;
# stage 2 builds the overlay root, mounts the API filesystems, pivots and execs systemd.
set -euo pipefail
B=${BOX_DIR:?}
R=$B/root
if [ "${1:-}" != stage2 ]; then
  read -r hostpid _ < /proc/self/stat
  echo "$hostpid" > "$B/pid1"
  CG=$(cat "$B/cgroup.path")
  mkdir -p "$CG"; echo $$ > "$CG/cgroup.procs"
  exec unshare --cgroup "$0" stage2
fi
CONSOLE=$(tty)
mount --make-rprivate /
mount -t tmpfs -o mode=755 box-ovl "$B/ovl"
mkdir -p "$B/ovl/upper" "$B/ovl/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$B/ovl/upper,workdir=$B/ovl/work" "$R"
mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
mount --bind "$R/proc/sys" "$R/proc/sys"; mount -o remount,bind,ro "$R/proc/sys"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys"
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$R/sys/fs/cgroup"
mount -t tmpfs -o mode=755,nosuid,size=16m box-dev "$R/dev"
for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r n ma mi <<<"$d"; mknod -m 666 "$R/dev/$n" c "$ma" "$mi"
done
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
ln -s /proc/self/fd "$R/dev/fd"; ln -s /proc/self/fd/0 "$R/dev/stdin"
ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
touch "$R/dev/console"; mount --bind "$CONSOLE" "$R/dev/console"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"
mkdir -p "$R/opt/box"; mount --bind "$B" "$R/opt/box"; mount -o remount,bind,ro "$R/opt/box"
systemd-id128 new > "$R/etc/machine-id"
echo sevad-box > "$R/etc/hostname"; hostname sevad-box
mkdir -p "$R/.oldroot"; cd "$R"; pivot_root . .oldroot; umount -l /.oldroot; rmdir /.oldroot
exec capsh --drop=cap_sys_module,cap_sys_time,cap_sys_rawio,cap_sys_pacct,cap_syslog,cap_wake_alarm,cap_block_suspend,cap_mac_admin,cap_mac_override,cap_audit_control,cap_audit_read -- -c \
  "exec env -i container=sevad-box TERM=dumb /lib/systemd/systemd --unit=basic.target"
