#!/usr/bin/env bash
# Rebuild the shipped default model from the shipped corpus (train split only; the test split is held out,
# and the sample survey's gold labels are an independent set written separately).
set -euo pipefail
cd "$(dirname "$0")/.."
D=src/npsthemes/datasets
npsthemes train "$D/training_corpus.jsonl" \
  --taxonomy src/npsthemes/data/taxonomy.json \
  --independent "$D/sample_survey_labels.jsonl" \
  --name default --model-version "${MODEL_VERSION:-1.0.0}" --limits models/default_limits.txt \
  --description "Default npsthemes theme and polarity tagger for Finnish, Swedish and English NPS comments." \
  --out models/default
