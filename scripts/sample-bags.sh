#!/usr/bin/env bash
# Writes two sample bag tars into DIR (default artifacts/samples): sample-valid.tar, an
# APTrust-profile bag that ingests, and sample-invalid.tar, whose md5 manifest does not match
# one file and whose Access is not an allowed value (Rejected with both reasons).
set -euo pipefail
dir=${1:-artifacts/samples}
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make_bag() { # name access corrupt
  local name=$1 access=$2 corrupt=$3 bag="$work/$1"
  mkdir -p "$bag/data/images"
  printf 'Sample report for %s\n' "$name" > "$bag/data/report.txt"
  printf 'id,value\n1,alpha\n2,beta\n' > "$bag/data/notes.csv"
  printf '%s' 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==' | base64 -d > "$bag/data/images/pixel.png"
  printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' > "$bag/bagit.txt"
  local octets count
  octets=$(find "$bag/data" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
  count=$(find "$bag/data" -type f | wc -l)
  printf 'Source-Organization: Bus samples\nBagging-Date: %s\nPayload-Oxum: %s.%s\n' "$(date -u +%F)" "$octets" "$count" > "$bag/bag-info.txt"
  printf 'Title: %s\nAccess: %s\nStorage-Option: Standard\n' "$name" "$access" > "$bag/aptrust-info.txt"
  (cd "$bag" && find data -type f | LC_ALL=C sort | xargs md5sum > manifest-md5.txt && find data -type f | LC_ALL=C sort | xargs sha256sum > manifest-sha256.txt)
  # Corrupt: flip the first hex digit of the first md5 line (0 <-> 1, anything else -> 0).
  if [ "$corrupt" = yes ]; then awk 'NR==1{c=substr($0,1,1); $0=(c=="0"?"1":"0") substr($0,2)} {print}' "$bag/manifest-md5.txt" > "$bag/m" && mv "$bag/m" "$bag/manifest-md5.txt"; fi
  tar -C "$work" -cf "$dir/$name.tar" "$name"
}
make_bag sample-valid Institution no
make_bag sample-invalid Everyone yes
echo "$dir/sample-valid.tar $dir/sample-invalid.tar"
