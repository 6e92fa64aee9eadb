# nginx-conf.sh - the nginx reference for apps/www (sourced by the
# differential test and bench/www.sh, never run):
#   www_nginx_conf DIR SITE PORT  writes DIR/nginx.conf: one worker, sendfile
#   on, access_log off, SITE as root on 127.0.0.1:PORT, the text types with
#   charset=utf-8 as apps/www sends them, logs and temp files under DIR.
#   Run it with: nginx -c DIR/nginx.conf -g 'daemon off;'
www_nginx_conf() {
	local dir=$1 site=$2 port=$3
	mkdir -p "$dir/tmp"
	cat > "$dir/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	server_tokens off;
	charset utf-8;
	charset_types text/css text/plain text/xml text/javascript application/javascript
		application/json image/svg+xml;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	server {
		listen 127.0.0.1:$port;
		root $site;
		index index.html;
	}
}
EOF
}
