# accelstrat-report -p under make's jobserver (project-report-jobs.test):
# report.txt from a recipe marked '+', so that make hands it the jobserver;
# then tokens.txt, alone, counts the tokens back in the jobserver
# (jobserver_tokens.py).
all: tokens.txt
report.txt:
	+accelstrat-report -p $(DB) -j 8 --compiler $(WRAPPER) > $@ 2> report.err
tokens.txt: report.txt
	+$(PYTHON) $(TOKENS) > $@
