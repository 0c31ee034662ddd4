# lib.sh: sourced by every run script in the guest. Our tools are in /bin, but busybox's
# shell runs its own applets of the same name (svc, svok, envdir, ...) whatever PATH
# says, so scripts call ours by absolute path: /bin/svc, /bin/svok, /bin/multilog ...
PATH=/bin
export PATH
# In the "svscan" boot mode nothing is mounted: the first service to start mounts /proc.
[ -e /proc/self/stat ] || mount -t proc proc /proc 2>/dev/null
# uptime: the guest's seconds since boot
uptime_s() { read -r _u _rest < /proc/uptime; echo "$_u"; }
# started NAME: append "NAME PID UPTIME MARK" to /run/starts (one line per start of a
# service); MARK: "hook" if the boot hook's mark was there (it runs before any service)
started() {
    [ -e /run/hook/booted ] && _m=hook || _m=nohook
    echo "$1 $$ $(uptime_s) $_m" >> /run/starts
}
