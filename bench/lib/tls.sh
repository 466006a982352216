# shellcheck shell=bash
# shellcheck disable=SC2034  # its settings are read by the files that source this one
# The TLS side of the benchmark's target (--tls): a throwaway CA made for the run and a server
# certificate it signs for every address the target listens on. The workers and the bare-libcurl
# ceiling trust that CA alone (ca_bundle_path / CURLOPT_CAINFO), so every probe verifies a real
# chain and the host's name, as a probe of a public https:// site does.
#
# Keys are ECDSA P-256, what certbot and most public sites issue today; the chain is leaf + CA, the
# CA being the trust anchor (the server sends the leaf only).

BENCH_TLS=0
BENCH_TLS_CA=""    # the CA certificate the clients trust
BENCH_TLS_CERT=""  # the server's certificate and key, for nginx
BENCH_TLS_KEY=""

# bench_make_tls_ca DIR ADDRESSES: writes ca.pem, server.pem and server.key into DIR for
# 127.0.0.1-127.0.0.(1+ADDRESSES) and localhost, valid for 30 days.
bench_make_tls_ca() {
  local dir="$1" addresses="$2" i sans="DNS:localhost,IP:127.0.0.1"
  command -v openssl >/dev/null || bench_die "openssl is not installed (apt-get install openssl)"
  mkdir -p "$dir"
  for ((i = 0; i < addresses; i++)); do sans+=",IP:127.0.0.$((2 + i))"; done
  {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
      -subj "/CN=lokahi bench throwaway CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/CN=lokahi bench target" -keyout "$dir/server.key" -out "$dir/server.csr" &&
      printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
        "$sans" >"$dir/server.ext" &&
      openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 30 -extfile "$dir/server.ext" -out "$dir/server.pem"
  } >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log" >&2; bench_die "could not make the TLS CA"; }
  rm -f "$dir/ca.key"  # throwaway: nothing else is ever signed by it
  BENCH_TLS_CA="$dir/ca.pem" BENCH_TLS_CERT="$dir/server.pem" BENCH_TLS_KEY="$dir/server.key"
}

# The scheme of every probe URL.
bench_scheme() { if [ "$BENCH_TLS" = 1 ]; then echo https; else echo http; fi; }
