#!/bin/sh
# Lab 4: measure the policies' churn and fill, and plot them.
#   labs/04-complexity/churn.sh [TLSSIM]      (default build/src/tlssim)
# Writes lab4.json and, when jq and gnuplot are there, lab4.png.
set -eu
tlssim=${1:-build/src/tlssim}
"$tlssim" bench fill churn --n=1000,10000,100000 --runs=3 --json > lab4.json
echo "lab4.json written"
if command -v jq >/dev/null && command -v gnuplot >/dev/null; then
	"$(dirname "$0")/../../scripts/plot-bench" lab4.json lab4.png
else
	echo "no jq or gnuplot: plot lab4.json yourself (apt-get install jq gnuplot-nox)"
fi
