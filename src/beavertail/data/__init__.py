"""Records, loaders, taxonomies and validation for every data format beavertail reads."""

from beavertail.data.catalog import (
    FILES,
    beavertails_qa,
    canonical_split,
    data_dir,
    dataset_path,
    pku_pairs,
    pku_qa,
    prompts,
)
from beavertail.data.errors import DataValidationError
from beavertail.data.loaders import (
    detect_kind,
    load_beavertails_qa,
    load_pku_pairs,
    load_prompts,
    load_qa,
    load_qa_examples,
    load_ranked_pairs,
    load_records,
    qa_from_pairs,
)
from beavertail.data.mix import moderation_split
from beavertail.data.readers import iter_rows
from beavertail.data.records import EvalPrompt, PreferencePair, QAExample, RankedPair
from beavertail.data.stats import DataStats, compute_stats
from beavertail.data.taxonomy import (
    BEAVERTAILS_14,
    PKU_SAFERLHF_19,
    Taxonomy,
    TaxonomyMapping,
    get_mapping,
    get_taxonomy,
    list_taxonomies,
)

__all__ = [
    "BEAVERTAILS_14",
    "FILES",
    "PKU_SAFERLHF_19",
    "DataStats",
    "DataValidationError",
    "EvalPrompt",
    "PreferencePair",
    "QAExample",
    "RankedPair",
    "Taxonomy",
    "TaxonomyMapping",
    "beavertails_qa",
    "canonical_split",
    "compute_stats",
    "data_dir",
    "dataset_path",
    "detect_kind",
    "get_mapping",
    "get_taxonomy",
    "iter_rows",
    "list_taxonomies",
    "load_beavertails_qa",
    "load_pku_pairs",
    "load_prompts",
    "load_qa",
    "load_qa_examples",
    "load_ranked_pairs",
    "load_records",
    "moderation_split",
    "pku_pairs",
    "pku_qa",
    "prompts",
    "qa_from_pairs",
]
