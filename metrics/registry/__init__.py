"""The metric registry: the plan and metric definitions as the performance team writes them in
YAML, loaded, validated in two stages and looked up."""
