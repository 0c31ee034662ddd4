/etc/service/
