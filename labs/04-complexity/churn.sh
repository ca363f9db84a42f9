#!/bin/sh
# Lab 4: measure the policies' churn and fill, and plot them.
#   labs/04-complexity/churn.sh [TLSSIM]      (default build/src/tlssim)
# Writes lab4.json and, when jq and gnuplot are both there, lab4.png;
# otherwise it names each tool that is missing.
# LAB4_N (default 1000,10000,100000) and LAB4_RUNS (default 3) choose the
# sizes and the runs of each measure.
set -eu
tlssim=${1:-build/src/tlssim}
"$tlssim" bench fill churn --n="${LAB4_N:-1000,10000,100000}" \
	--runs="${LAB4_RUNS:-3}" --json > lab4.json
echo "lab4.json written"
missing=
for tool in jq gnuplot; do
	command -v "$tool" >/dev/null || missing="$missing${missing:+ and }$tool"
done
if [ -z "$missing" ]; then
	"$(dirname "$0")/../../scripts/plot-bench" lab4.json lab4.png
	echo "lab4.png written"
else
	echo "no $missing: lab4.png not drawn; install it (Debian: apt-get install jq gnuplot-nox) or plot lab4.json yourself"
fi
