"""Persona inference and persona tailoring on preference data (Balepur et al., 2025).

``infer_personas`` writes who would prefer each side of a pair (PI); ``train_persona_judge``
is the reward model with the persona in its input (the persona quality check);
``train_tailored_policy`` tunes a policy to the persona in its system prompt (PT);
``evaluate_personas`` measures all of it and writes the report.
"""

from beavertail.persona.clusters import PersonaClusters, cluster_personas
from beavertail.persona.infer import (
    PersonaSettings,
    from_preference,
    infer_personas,
    load_pairs,
    pi_prompt,
    save_persona_dataset,
)
from beavertail.persona.judge import (
    compare_judges,
    conditioned_pairs,
    embedding_match,
    persona_prompt,
    side_accuracy,
    side_scores,
    train_persona_judge,
)
from beavertail.persona.run import PersonaEvalSettings, evaluate_personas
from beavertail.persona.tailor import (
    TailoringSettings,
    persona_system,
    tailoring_pairs,
    tailoring_rows,
    train_tailored_policy,
)

__all__ = [
    "PersonaClusters",
    "PersonaEvalSettings",
    "PersonaSettings",
    "TailoringSettings",
    "cluster_personas",
    "compare_judges",
    "conditioned_pairs",
    "embedding_match",
    "evaluate_personas",
    "from_preference",
    "infer_personas",
    "load_pairs",
    "persona_prompt",
    "persona_system",
    "pi_prompt",
    "save_persona_dataset",
    "side_accuracy",
    "side_scores",
    "tailoring_pairs",
    "tailoring_rows",
    "train_persona_judge",
    "train_tailored_policy",
]
