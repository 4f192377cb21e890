"""BOCES aid (Educ. Law §1950(5); §3602(3)(f); rules §5): :mod:`.ratios` (tax rate to sharing and
capital ratios), :mod:`.expenses` (approved expenses, the 10 % and salary limits), :mod:`.lines`
(the aid lines)."""
