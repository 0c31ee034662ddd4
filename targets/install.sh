#!/usr/bin/env bash
# Install the tools built by targets/build.sh, in one of two layouts:
#
#   targets/install.sh package [--target TRIPLE] [--root DIR] [--boot KIND]...
#     DJB's scheme under DIR (default /): package/admin/daemontools-rs-VERSION/command/,
#     the link package/admin/daemontools-rs (replaced atomically on upgrade), links
#     command/TOOL -> /package/admin/daemontools-rs/command/TOOL, service/, and the man
#     pages in usr/share/man/man8 (gzipped when gzip is there).
#
#   targets/install.sh prefix [--target TRIPLE] [--destdir DIR] [--prefix /usr] [--boot KIND]...
#     DESTDIR/PREFIX/bin/TOOL and DESTDIR/PREFIX/share/man/man8/TOOL.8, as firmware build
#     systems expect; DESTDIR and PREFIX are also read from the environment (options win).
#
# --boot KIND (repeatable: inittab, rc.local, systemd, upstart, openwrt, busybox) also
# installs the boot integration into the root (DIR or DESTDIR), from targets/boot/; see
# targets/boot/README.md. The default target is this machine's. Running it again changes
# nothing. Exit codes: 0 done, 100 usage, 111 failure.
#
# --from DIR (either layout) installs prebuilt binaries from an unpacked release archive
# (targets/release.sh: DIR/bin, DIR/man/man8, DIR/boot, DIR/TARGET, DIR/VERSION,
# DIR/SHA256SUMS, checked with sha256sum when it is there) instead of this build tree;
# the target is the archive's. The install.sh inside an archive uses its own directory.
set -euo pipefail
umask 022
repo=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  printf 'install: usage: %s\n' "$*" >&2
  printf '%s\n' \
    'install: usage: install.sh package [--target TRIPLE] [--root DIR] [--boot KIND]... [--from DIR]' \
    'install: usage: install.sh prefix [--target TRIPLE] [--destdir DIR] [--prefix DIR] [--boot KIND]... [--from DIR]' \
    'install: usage: KIND: inittab rc.local systemd upstart openwrt busybox' >&2
  exit 100
}
fatal() { printf 'install: fatal: %s\n' "$*" >&2; exit 111; }
note() { printf 'install: %s\n' "$*" >&2; }

# ---- arguments ----------------------------------------------------------------------
[ $# -gt 0 ] || usage 'no layout given'
case $1 in
  -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  package | prefix) layout=$1; shift ;;
  *) usage "unknown layout: $1" ;;
esac
target= root= destdir=${DESTDIR-} prefix=${PREFIX:-/usr} boots=() from=
# Inside an unpacked release archive (TARGET and bin/ next to this script) the
# binaries are the archive's.
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$here/TARGET" ] && [ -d "$here/bin" ] && from=$here
while [ $# -gt 0 ]; do
  opt=$1 val=
  case $opt in
    --*=*) val=${opt#*=}; opt=${opt%%=*} ;;
    --target | --root | --destdir | --prefix | --boot | --from)
      [ $# -ge 2 ] || usage "$opt needs a value"; val=$2; shift ;;
    *) usage "unknown argument: $opt" ;;
  esac
  shift
  case $opt in
    --target) target=$val ;;
    --from) [ -n "$val" ] || usage '--from needs a directory'; from=$val ;;
    --root) [ "$layout" = package ] || usage '--root is for the package layout (prefix: --destdir)'
            root=$val ;;
    --destdir) [ "$layout" = prefix ] || usage '--destdir is for the prefix layout (package: --root)'
               destdir=$val ;;
    --prefix) [ "$layout" = prefix ] || usage '--prefix is for the prefix layout'
              prefix=$val ;;
    --boot) case $val in
              inittab | rc.local | systemd | upstart | openwrt | busybox) boots+=("$val") ;;
              *) usage "unknown boot kind: $val" ;;
            esac ;;
    *) usage "unknown option: $opt" ;;
  esac
done

if [ -n "$from" ]; then   # an unpacked release archive: its target
  [ -d "$from" ] || fatal "--from $from: not a directory"
  from=$(cd "$from" && pwd)
  [ -f "$from/TARGET" ] && [ -f "$from/VERSION" ] && [ -d "$from/bin" ] ||
    fatal "$from is not an unpacked release archive (no TARGET, VERSION or bin/)"
  ftarget=$(<"$from/TARGET")
  [[ $ftarget =~ ^[A-Za-z0-9._-]+$ ]] || fatal "$from/TARGET holds no target name"
  [ -z "$target" ] || [ "$target" = "$ftarget" ] ||
    usage "--target $target, but $from holds $ftarget"
  target=$ftarget
else
  if [ -z "$target" ]; then   # this machine's target
    target=$("$repo/targets/host-target.sh") || usage "give --target"
  fi
  awk -v t="$target" '!/^#/ && $1 == t { f = 1 } END { exit !f }' "$repo/targets/targets.txt" ||
    usage "unknown target: $target (see targets/targets.txt)"
fi

# The root everything goes under, absolute, without a trailing slash ("" for /).
abs_root() {
  local d=$1
  [ -n "$d" ] || d=/
  case $d in /*) ;; *) d=$PWD/$d ;; esac
  while [ "${d%/}" != "$d" ]; do d=${d%/}; done
  printf '%s' "$d"
}
# Paths written into boot files and links must survive sed-free substitution, init's
# parsing and word splitting: plain characters only.
case $prefix in
  /*) ;;
  *) usage "the prefix must be absolute: $prefix" ;;
esac
[[ $prefix =~ ^[A-Za-z0-9._/+-]+$ ]] || usage "unusual characters in the prefix: $prefix"
while [ "${prefix%/}" != "$prefix" ]; do prefix=${prefix%/}; done   # "" for /

if [ "$layout" = package ]; then R=$(abs_root "$root"); else R=$(abs_root "$destdir"); fi

# ---- what to install ----------------------------------------------------------------
if [ -n "$from" ]; then
  version=$(<"$from/VERSION")
  [[ $version =~ ^[A-Za-z0-9.+~-]+$ ]] || fatal "$from/VERSION holds no version"
  if [ -f "$from/SHA256SUMS" ] && command -v sha256sum > /dev/null; then
    (cd "$from" && sha256sum -c --quiet SHA256SUMS > /dev/null 2>&1) ||
      fatal "$from: files differ from its SHA256SUMS: $(cd "$from" && sha256sum -c --quiet SHA256SUMS 2>&1 | head -3 | tr '\n' ' ')"
  else
    note "$from: no SHA256SUMS or no sha256sum: checksums not checked"
  fi
  dist=$from/bin
  tools=()
  for f in "$dist"/*; do
    t=${f##*/}
    [ -f "$f" ] && [ -x "$f" ] || fatal "$f is not an executable file"
    [ "$t" = svscanboot ] || tools+=("$t")
  done
  [ ${#tools[@]} -gt 0 ] && [ -f "$dist/svscanboot" ] || fatal "$from/bin lacks the tools or svscanboot"
  mans=("$from"/man/man8/*.8)
  [ -f "${mans[0]}" ] || fatal "$from/man/man8 holds no man pages"
  bootdir=$from/boot
else
  version=$(awk '/^\[/ { s = ($0 == "[workspace.package]") }
                 s && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' "$repo/Cargo.toml")
  [ -n "$version" ] || fatal "no [workspace.package] version in $repo/Cargo.toml"
  dist=$repo/target/dist/$target
  tools=()
  for f in "$repo"/bins/src/bin/*.rs; do t=${f##*/}; tools+=("${t%.rs}"); done
  for t in "${tools[@]}"; do
    [ -f "$dist/$t" ] && [ -x "$dist/$t" ] ||
      fatal "target/dist/$target/$t missing: run targets/build.sh $target"
  done
  mans=("$repo"/bins/man/*.8)
  bootdir=$repo/targets/boot
fi
src() {   # the file to install for tool $1; svscanboot is a sh script, the same everywhere
  if [ "$1" = svscanboot ] && [ ! -f "$dist/svscanboot" ]; then printf '%s' "$repo/bins/svscanboot"
  else printf '%s' "$dist/$1"; fi
}
tools+=(svscanboot)

# ---- helpers: each changes nothing when the result is already there -----------------
# mkdir_mode DIR MODE: creates DIR (and its parents) with MODE if it is not there.
mkdir_mode() {
  [ -d "$1" ] && return 0
  mkdir -p "$1" && chmod "$2" "$1"
}
# replace TMP DEST: renames TMP over DEST in one step. -T replaces DEST itself even if
# it is a link to a directory; an mv without -T gets DEST removed first.
replace() {
  mv -fT "$1" "$2" 2> /dev/null || { rm -f "$2" && mv -f "$1" "$2"; } ||
    { rm -f "$1"; fatal "unable to install $2"; }
}
# put SRC DEST MODE: DEST gets SRC's bytes and MODE; replaced by rename, so a running
# program (supervise) is never overwritten in place. A link there (a busybox applet)
# is replaced by the file.
put() {
  local tmp
  if [ -f "$2" ] && [ ! -L "$2" ] && cmp -s "$1" "$2" &&
     [ "$(stat -c %a "$2")" = "${3#0}" ]; then return 0; fi
  [ ! -d "$2" ] || [ -L "$2" ] || fatal "$2 is a directory"
  tmp=$(dirname "$2")/.${2##*/}.install.$$
  cp "$1" "$tmp" && chmod "$3" "$tmp" || { rm -f "$tmp"; fatal "unable to install $2"; }
  replace "$tmp" "$2"
}
# link TARGET PATH: PATH becomes a symbolic link to TARGET, replaced atomically.
link() {
  local tmp
  if [ -L "$2" ] && [ "$(readlink "$2")" = "$1" ]; then return 0; fi
  [ ! -d "$2" ] || [ -L "$2" ] || fatal "$2 is a directory, not a link: move it away first"
  tmp=$(dirname "$2")/.${2##*/}.install.$$
  rm -f "$tmp"; ln -s "$1" "$tmp" || fatal "unable to link $2"
  replace "$tmp" "$2"
}
# filled TEMPLATE: the boot template with @SVSCANBOOT@ replaced, into a temporary file.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
filled() {
  local text
  [ -f "$bootdir/$1" ] || fatal "$bootdir/$1 missing"
  text=$(<"$bootdir/$1")
  printf '%s\n' "${text//@SVSCANBOOT@/"$boot_cmd"}" > "$scratch/$1"
  printf '%s' "$scratch/$1"
}
# add_line FILE LINE [before-exit]: appends LINE to FILE unless it is there. A different
# line starting svscanboot is an error (init would run two). before-exit: a final
# `exit 0` stays last. The file keeps its inode and mode.
add_line() {
  local file=$1 line=$2 mode=${3-} old
  if [ -f "$file" ]; then
    grep -qxF -- "$line" "$file" && return 0
    old=$(grep -v '^[[:space:]]*#' "$file" | grep -m1 'svscanboot' || true)
    [ -z "$old" ] || fatal "$file already starts svscanboot differently: '$old': remove that line first"
  fi
  if [ "$mode" = before-exit ] && [ -f "$file" ]; then
    awk -v line="$line" '
      { l[NR] = $0 } END {
        last = NR; while (last > 0 && l[last] ~ /^[[:space:]]*$/) last--
        at = (last > 0 && l[last] ~ /^[[:space:]]*exit[[:space:]]+0[[:space:]]*$/) ? last : NR + 1
        for (i = 1; i <= NR; i++) { if (i == at) print line; print l[i] }
        if (at == NR + 1) print line
      }' "$file" > "$scratch/add" && cat "$scratch/add" > "$file"
  else
    # a last line without its newline gets one first
    if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then printf '\n' >> "$file"; fi
    printf '%s\n' "$line" >> "$file"
  fi
}

# ---- the layouts --------------------------------------------------------------------
if [ "$layout" = package ]; then
  pkg=$R/package/admin/daemontools-rs-$version
  mkdir_mode "$R/package" 1755   # DJB's: anyone may add, no one may remove others'
  mkdir_mode "$R/package/admin" 755
  mkdir_mode "$pkg/command" 755
  for t in "${tools[@]}"; do put "$(src "$t")" "$pkg/command/$t" 755; done
  link "daemontools-rs-$version" "$R/package/admin/daemontools-rs"
  mkdir_mode "$R/command" 755
  for t in "${tools[@]}"; do link "/package/admin/daemontools-rs/command/$t" "$R/command/$t"; done
  mkdir_mode "$R/service" 755
  mandir=$R/usr/share/man/man8
  mkdir_mode "$mandir" 755
  for m in "${mans[@]}"; do
    if command -v gzip > /dev/null; then
      gzip -9nc "$m" > "$scratch/man.gz"; put "$scratch/man.gz" "$mandir/${m##*/}.gz" 644
    else
      put "$m" "$mandir/${m##*/}" 644
    fi
  done
  boot_any=/command/svscanboot
  where=$pkg
else
  bindir=$R$prefix/bin
  mkdir_mode "$bindir" 755
  for t in "${tools[@]}"; do put "$(src "$t")" "$bindir/$t" 755; done
  mkdir_mode "$R$prefix/share/man/man8" 755
  for m in "${mans[@]}"; do put "$m" "$R$prefix/share/man/man8/${m##*/}" 644; done
  boot_any="$prefix/bin/svscanboot /service $prefix/bin"
  boot_openwrt="$prefix/bin/svscanboot /etc/service $prefix/bin"   # OpenWrt's /etc is writable
  where=$bindir
fi

# ---- boot integration ---------------------------------------------------------------
for kind in ${boots[@]+"${boots[@]}"}; do
  # the svscanboot command filled into the templates, and its service directory
  if [ "$kind" = openwrt ] && [ "$layout" = prefix ]; then
    boot_cmd=$boot_openwrt; mkdir_mode "$R/etc/service" 755
  else
    boot_cmd=$boot_any; mkdir_mode "$R/service" 755
  fi
  mkdir_mode "$R/etc" 755
  case $kind in
    inittab)
      [ -f "$R/etc/inittab" ] || note "$R/etc/inittab did not exist: it now holds only the svscanboot line"
      add_line "$R/etc/inittab" "$(<"$(filled inittab.line)")" ;;
    busybox)
      if [ ! -f "$R/etc/inittab" ]; then
        # Without an inittab busybox init runs built-in entries; with one it runs only
        # what is there. Keep those entries.
        printf '%s\n' '# busybox init: its built-in entries, written out by daemontools-rs' \
          '::sysinit:/etc/init.d/rcS' '::askfirst:-/bin/sh' 'tty2::askfirst:-/bin/sh' \
          'tty3::askfirst:-/bin/sh' 'tty4::askfirst:-/bin/sh' '::ctrlaltdel:reboot' \
          '::shutdown:umount -a -r' '::shutdown:swapoff -a' '::restart:init' \
          > "$R/etc/inittab"
        note "$R/etc/inittab did not exist: it now holds busybox's built-in entries and svscanboot"
      fi
      add_line "$R/etc/inittab" "$(<"$(filled busybox.inittab.line)")" ;;
    rc.local)
      [ -f "$R/etc/rc.local" ] || printf '#!/bin/sh\n' > "$R/etc/rc.local"
      add_line "$R/etc/rc.local" "$(<"$(filled rc.local.line)")" before-exit
      [ -x "$R/etc/rc.local" ] || chmod a+x "$R/etc/rc.local" ;;
    systemd)
      mkdir_mode "$R/etc/systemd/system/multi-user.target.wants" 755
      put "$(filled daemontools.service)" "$R/etc/systemd/system/daemontools.service" 644
      link ../daemontools.service "$R/etc/systemd/system/multi-user.target.wants/daemontools.service" ;;
    upstart)
      mkdir_mode "$R/etc/init" 755
      put "$(filled svscan.conf)" "$R/etc/init/svscan.conf" 644 ;;
    openwrt)
      mkdir_mode "$R/etc/init.d" 755
      mkdir_mode "$R/etc/rc.d" 755
      put "$(filled svscan.init)" "$R/etc/init.d/svscan" 755
      link ../init.d/svscan "$R/etc/rc.d/S95svscan" ;;
  esac
done

note "daemontools-rs $version ($target) installed in $where${boots[*]+, boot: ${boots[*]}}"
