from reelive_quiz.cli import main

main()
