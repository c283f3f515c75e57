"""生活困窮 at the window: the 自立相談支援 items of a consultation and the monthly sheet of the
生活困窮者自立支援 statistics (issue 18)."""
