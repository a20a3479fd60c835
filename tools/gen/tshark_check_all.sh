#!/bin/sh
# Runs voxmon-gen in each encapsulation/option family and cross-checks each capture with tshark.
# usage: tools/gen/tshark_check_all.sh path/to/voxmon-gen [workdir]
set -u
GEN=$1
DIR=${2:-$(mktemp -d)}
mkdir -p "$DIR"
CHECK=$(dirname "$0")/tshark_check.py
status=0
run() {
  expect_ok=1
  if [ "$1" = "--may-differ" ]; then expect_ok=0; shift; fi
  name=$1; shift
  "$GEN" -q -o "$DIR/$name.pcap" "$@" || { echo "== $name: voxmon-gen failed"; status=1; return; }
  echo "== $name: $*"
  out=$(python3 "$CHECK" "$DIR/$name.pcap"); rc=$?
  printf '%s\n' "$out" | tail -n +2
  if [ $rc -ne 0 ] && [ $expect_ok -eq 1 ]; then status=1; fi
}
run sample   --sample
run ipv6     --sample --ipv6
run ipip     --sample --ipip
run sll_vlan --sample --vlan 42 --link sll
run frag4    --sample --fragment-sip --vlan 7
run frag6    --sample --fragment-sip --ipv6
run frag6ip  --sample --fragment-sip --ipv6 --ipip
run micro    --sample --precision micro --seed 9
run conc     --concurrency 30 --calls 200 --duration-mean 8 --loss 0.05 --jitter 2 --seed 3
run gre      --sample --tunnel gre
run erspan   --sample --tunnel erspan --vlan 12
run vxlan    --sample --tunnel vxlan
run tcpmixed --sample --transport tcp --tcp-segments mixed
run pcapng   --sample --pcapng
run features --sample --rtcp --reinvite 1 --dtmf 1 --cn 1 --ssrc-change 1 --dup 0.01 --seed 4
run outcomes --calls 40 --outcomes redirect=1,forked=1 --duration-mean 6 --orphan-rtp 0.5 --burst-loss 0.02,0.3
echo "== reordering (differences from tshark expected, see docs/GENERATOR.md)"
run --may-differ reorder --sample --jitter 30
exit $status
