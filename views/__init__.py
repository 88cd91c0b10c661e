"""Streamlit page modules (thin: layout only). ``app.py`` lists them in st.navigation."""
