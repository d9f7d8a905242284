#!/bin/sh
# Regenerates the TLS test certificates of jasyncio-core's tests (see README.md here).
# Needs openssl 3 and a JDK's keytool. Valid for 100 years; the keys are for tests only.
set -eu
cd "$(dirname "$0")"
DAYS=36500
PASS=changeit
rm -f ca.key ca.pem ca.srl localhost.key localhost.csr localhost.pem localhost.p12 truststore.p12

# The test CA: self-signed, EC P-256.
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout ca.key -out ca.pem -days "$DAYS" -subj "/CN=jasyncio test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

# The server: CN=localhost, SAN DNS:localhost and IP:127.0.0.1, signed by the CA.
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout localhost.key -out localhost.csr -subj "/CN=localhost"
openssl x509 -req -in localhost.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out localhost.pem \
    -days "$DAYS" -extfile /dev/stdin <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
rm -f localhost.csr ca.srl

# Java key stores: the server's key and chain, and a trust store holding the CA.
openssl pkcs12 -export -name localhost -inkey localhost.key -in localhost.pem -certfile ca.pem \
    -out localhost.p12 -passout "pass:$PASS"
keytool -importcert -noprompt -alias ca -file ca.pem -keystore truststore.p12 -storetype PKCS12 \
    -storepass "$PASS"
