from gsyf_geo.cli import main

raise SystemExit(main())
