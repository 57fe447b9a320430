#!/usr/bin/env bash
# One GPU session of speech-to-text training (training/train_stt_accel.py), within a fixed time:
#   bash training/run_stt_accel.sh OUT_DIR SECONDS [extra prepare args]
# Builds the augmented features once (all CPU cores), then trains two models side by side on the
# one GPU until SECONDS after the start: "ft" fine-tunes the shipped weights/stt, "big" is a larger
# model from scratch. Each writes OUT_DIR/<name>.npz (mean of 5 snapshots), <name>_last.npz, <name>.log.
# On an H200 machine (16 cores), SECONDS=470: --prepare took 307 s (27,789 clips, 20.2 h), which left
# 2 min of training; "ft" (4,909 steps) is the shipped model. "big" ran out of GPU memory building
# CUDA graphs beside "ft"; with the memory fraction and command buffers set as below, a 4-minute
# rerun of both worked (big: dev CER 0.425, worse than ft's 0.360).
set -euo pipefail
out=$1; seconds=$2; shift 2
t0=$(date +%s)
export KERAS_BACKEND=jax PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_MEM_FRACTION=0.4 XLA_FLAGS=--xla_gpu_enable_command_buffer=
# one thread per worker process (a guess, not measured: the slow --prepare may have been 16 workers x 16 threads)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$out"
cores=$(nproc)
python3 -m training.train_stt_accel --prepare --jobs "$cores" "$@" 2>&1 | tee "$out/prep.log"
left=$(( t0 + seconds - $(date +%s) ))
minutes=$(python3 -c "print(max(0.3, round($left / 60 - 0.7, 2)))")  # 0.7 min for the last evaluation and saving
echo "prepared in $(( $(date +%s) - t0 )) s; training for $minutes min" | tee -a "$out/prep.log"
half=$(( cores > 5 ? (cores - 2) / 2 : 1 ))
set +e  # the two runs are independent: one failing must not stop the other
python3 -m training.train_stt_accel --minutes "$minutes" --out "$out/ft" --init weights/stt --lr 6e-4 --half --jobs "$half" \
    > /tmp/ft.out 2>&1 &
ft=$!
python3 -m training.train_stt_accel --minutes "$minutes" --out "$out/big" --channels 320 --blocks 6 --half --jobs "$half" 2>&1 \
    | grep -v "^WARNING"
wait $ft || echo "ft failed"
grep -v "^WARNING" /tmp/ft.out | tail -8
