################################################################################
#
# daemontools-rs
#
# NOT BUILT HERE: this tree has no Buildroot; targets/check-feeds.sh checks this file
# against the real build (version, tools) so that it cannot drift silently. The tools
# link no C library, so Buildroot's toolchain is not used: the build host needs rustup's
# stable Rust with rust-src, and DAEMONTOOLS_RS_TRIPLE picks our Rust target.
#
################################################################################

DAEMONTOOLS_RS_VERSION = 0.1.0
DAEMONTOOLS_RS_SITE = https://example.invalid/daemontools-rs.git
DAEMONTOOLS_RS_SITE_METHOD = git
DAEMONTOOLS_RS_LICENSE = MIT
DAEMONTOOLS_RS_LICENSE_FILES = LICENSE

DAEMONTOOLS_RS_TOOLS = envdir envuidgid fghack multilog pgrphack readproctitle setlock \
	setuidgid softlimit supervise svc svok svscan svstat tai64n tai64nfrac tai64nlocal \
	svscanboot

ifeq ($(BR2_x86_64),y)
DAEMONTOOLS_RS_TRIPLE = x86_64-unknown-linux-musl
else ifeq ($(BR2_i386),y)
DAEMONTOOLS_RS_TRIPLE = i686-unknown-linux-musl
else ifeq ($(BR2_aarch64),y)
DAEMONTOOLS_RS_TRIPLE = aarch64-unknown-linux-musl
else ifeq ($(BR2_arm)$(BR2_ARM_EABIHF),yy)
DAEMONTOOLS_RS_TRIPLE = armv7-unknown-linux-musleabihf
else ifeq ($(BR2_arm)$(BR2_ARM_CPU_ARMV6),yy)
DAEMONTOOLS_RS_TRIPLE = arm-unknown-linux-musleabi
else ifeq ($(BR2_arm),y)
DAEMONTOOLS_RS_TRIPLE = armv5te-unknown-linux-musleabi
else ifeq ($(BR2_mips),y)
DAEMONTOOLS_RS_TRIPLE = mips-unknown-linux-musl
else ifeq ($(BR2_mipsel),y)
DAEMONTOOLS_RS_TRIPLE = mipsel-unknown-linux-musl
else ifeq ($(BR2_riscv),y)
DAEMONTOOLS_RS_TRIPLE = riscv64gc-unknown-linux-musl
endif

define DAEMONTOOLS_RS_BUILD_CMDS
	cd $(@D) && targets/build.sh $(DAEMONTOOLS_RS_TRIPLE)
endef

define DAEMONTOOLS_RS_INSTALL_TARGET_CMDS
	for tool in $(DAEMONTOOLS_RS_TOOLS); do \
		$(INSTALL) -D -m 0755 $(@D)/target/dist/$(DAEMONTOOLS_RS_TRIPLE)/$$tool \
			$(TARGET_DIR)/usr/bin/$$tool || exit 1; \
	done
	mkdir -p $(TARGET_DIR)/etc/service
endef

$(eval $(generic-package))
