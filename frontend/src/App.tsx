export default function App() {
  return <div className="app">Structura</div>
}
